"""The project's vocabularies, in one place: outcomes, recovery modes, phases and event names.

Each is a ``StrEnum``: a member *is* its string (``Outcome.LANDED == "landed"``, same hash, same
text in f-strings, JSON, TOML and Parquet), so code that still writes the literal keeps working
and files written before or after read the same.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["EventName", "FileKind", "Frame", "Outcome", "Phase", "RecoveryMode"]


class Outcome(StrEnum):
    """How a flight ended: a landing burn's class (``sim.outcome.classify``), a whole flight's,
    or a campaign run's."""

    LANDED = "landed"
    HARD_LANDING = "hard_landing"  # vertical speed above the limit, below the crash speed
    TIPPED_OVER = "tipped_over"  # too much lateral speed or tilt for the legs
    MISSED_PAD = "missed_pad"  # a good touchdown, but off the pad
    CRASHED = "crashed"  # struck the ground at crash speed with propellant left
    PROPELLANT_DEPLETED = "propellant_depleted"  # ran dry before touchdown
    TIMEOUT = "timeout"  # still flying at the simulation's time limit
    EXPENDED = "expended"  # a whole flight that never meant to land (expendable recovery)
    ERROR = "error"  # a campaign run that raised: no flight, the row carries the exception


class RecoveryMode(StrEnum):
    """Where the booster goes after MECO (``recovery.mode`` of a flight scenario)."""

    RTLS = "rtls"  # return to the launch site (or another pad on land): boostback burn
    DRONESHIP = "droneship"  # land on a ship downrange: little or no boostback
    DOWNRANGE = "downrange"  # land on a pad downrange, given as a site
    EXPENDABLE = "expendable"  # no recovery: the stage falls where it falls


class Phase(StrEnum):
    """The ``phase`` of each trajectory sample.

    A landing burn on its own (``sim.landing``) records ``coast``, ``landing_burn``,
    ``engine_cutoff``, ``falling`` and ``touchdown``; inside a whole flight the same burn's
    samples are renamed by :meth:`in_flight` (``landing_`` prefix, ``landing_burn`` unchanged).
    """

    # a landing burn (sim.landing), and the unpowered arcs of a whole flight
    COAST = "coast"  # unpowered: before ignition, or between burns of a flight
    LANDING_BURN = "landing_burn"  # the guided landing burn
    ENGINE_CUTOFF = "engine_cutoff"  # shut down just above the pad, dropping the last metres
    FALLING = "falling"  # out of propellant before touchdown
    TOUCHDOWN = "touchdown"  # the sample at ground contact
    # a whole flight (flight.executive and its phases)
    ASCENT = "ascent"  # liftoff to MECO, upper stage attached
    FLIP = "flip"  # turning round for the boostback burn
    BOOSTBACK = "boostback"  # the boostback burn
    ENTRY_BURN = "entry_burn"  # the entry burn
    AERO_DESCENT = "aero_descent"  # grid-fin steered descent down to the landing handover
    FALL = "fall"  # an expended (or unguided) stage falling to impact
    LANDING_COAST = "landing_coast"  # COAST of the landing burn, inside a flight
    LANDING_ENGINE_CUTOFF = "landing_engine_cutoff"  # ENGINE_CUTOFF, inside a flight
    LANDING_FALLING = "landing_falling"  # FALLING, inside a flight
    LANDING_TOUCHDOWN = "landing_touchdown"  # TOUCHDOWN, inside a flight
    # reports
    FLIGHT = "flight"  # what a report calls a record that carries no phases

    @classmethod
    def in_flight(cls, landing_phase: str) -> Phase:
        """A landing burn's phase as a whole flight records it: ``coast`` -> ``landing_coast``,
        and ``landing_burn`` keeps its name."""
        if landing_phase == cls.LANDING_BURN:
            return cls.LANDING_BURN
        return cls(f"landing_{landing_phase}")


class EventName(StrEnum):
    """The ``name`` of a recorded event (``Recorder.event``, ``FlightRecorder.event``)."""

    # a landing burn (sim.landing)
    START = "start"  # the first sample
    IGNITION = "ignition"  # the landing burn lights
    ENGINE_CUTOFF = "engine_cutoff"  # shut down just above the pad
    PROPELLANT_OUT = "propellant_out"  # ran dry
    TOUCHDOWN = "touchdown"  # ground contact
    # a whole flight
    LIFTOFF = "liftoff"
    MAX_Q = "max_q"  # in the timeline's order, for a flight that records it
    MECO = "meco"  # main engine cut-off
    SEPARATION = "separation"  # the upper stage leaves
    FLIP_END = "flip_end"
    BOOSTBACK_START = "boostback_start"
    BOOSTBACK_END = "boostback_end"
    APOGEE = "apogee"
    ENTRY_START = "entry_start"
    ENTRY_END = "entry_end"
    AERO_DESCENT = "aero_descent"  # grid-fin descent begins
    HANDOVER = "handover"  # the landing executive takes over
    LANDING_BURN_START = "landing_burn_start"  # IGNITION of the landing burn, inside a flight
    IMPACT = "impact"  # an unlanded stage reaches the ground


class Frame(StrEnum):
    """The frame a trajectory's positions and velocities are in (``gnc.record.Trajectory``)."""

    ENU = "enu"  # east, north, up from the landing pad (a landing burn on its own)
    ECEF = "ecef"  # Earth-centred, Earth-fixed (a whole flight); velocity relative to the Earth


class FileKind(StrEnum):
    """What a TOML file (or a built-in name) describes (``config.loader.file_kind``, decided by
    the top-level key its model requires): :attr:`noun` says what it is and :meth:`usage` which
    command takes it, the one line a command given the wrong kind prints."""

    VEHICLE = "vehicle"  # a vehicle: its booster (and upper stage), with sources
    LANDING = "landing"  # a landing-burn scenario (an [initial] table): 'boostback land'
    FLIGHT = "flight"  # a whole-flight scenario (a [mission] table): 'boostback fly'
    CAMPAIGN = "campaign"  # a Monte Carlo campaign (a scenario to disperse): 'boostback mc run'
    ECONOMICS = "economics"  # an economics study (a cost file to price): 'boostback economics'
    DEPLOY = "deploy"  # a deployment study (a constellation): 'boostback deploy'
    COST = "cost"  # a vehicle's cost model ([hardware]): a study's cost, or 'boostback economics'
    CONSTELLATION = "constellation"  # a constellation's satellites: a deployment study's

    @property
    def noun(self) -> str:
        """What the file is, as a sentence says it ("a campaign file")."""
        return _NOUNS[self]

    def usage(self, ref: str) -> str:
        """Which command takes a file of this kind, for the file ``ref``."""
        return _USAGES[self].format(ref=ref)


_NOUNS = {
    FileKind.VEHICLE: "a vehicle",
    FileKind.LANDING: "a landing-burn scenario",
    FileKind.FLIGHT: "a whole-flight scenario",
    FileKind.CAMPAIGN: "a campaign file",
    FileKind.ECONOMICS: "an economics study",
    FileKind.DEPLOY: "a deployment study",
    FileKind.COST: "a cost file",
    FileKind.CONSTELLATION: "a constellation file",
}
_USAGES = {
    FileKind.VEHICLE: "fly it with 'boostback fly {ref}' or 'boostback land {ref}'",
    FileKind.LANDING: "fly it with 'boostback land {ref}'",
    FileKind.FLIGHT: "fly it with 'boostback fly {ref}'",
    FileKind.CAMPAIGN: "run it with 'boostback mc run {ref} --out DIR'",
    FileKind.ECONOMICS: "run it with 'boostback economics {ref}'",
    FileKind.DEPLOY: "run it with 'boostback deploy {ref}'",
    FileKind.COST: "price it with 'boostback economics {ref}', or name it as a study's cost",
    FileKind.CONSTELLATION: "name it as a deployment study's constellation ('boostback deploy')",
}
