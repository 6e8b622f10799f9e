"""Control: turning guidance demands into actuator commands."""
