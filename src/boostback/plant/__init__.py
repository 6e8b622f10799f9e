"""The truth model: state layout, equations of motion, actuators, integration with events."""
