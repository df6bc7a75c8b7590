"""The disjoint base groups a request is counted in; every figure of the report sums some."""

from __future__ import annotations

(
    RFA,  # OTP request for assistance
    MISSION,  # OTP notification of a mission (counted among RFAs by default)
    RFI,  # OTP request for information in a preliminary examination
    RFC_HQ,  # Registry RFC sent by the sections in HQ
    RFC_CO,  # Registry operational RFC sent by a Country Office
    HQ_DEFENCE,  # HQ RFCs by category: a request carrying several counts under each
    HQ_VICTIMS,
    HQ_WITNESS,
    HQ_JUDICIAL,
    ARREST,  # RFCs of any origin for arrest and surrender
    DECISION,  # Registry notification of a decision or order
) = range(11)
COUNT = 11

_HQ_CATEGORY = {
    "defence": HQ_DEFENCE,
    "victims": HQ_VICTIMS,
    "witness-protection": HQ_WITNESS,
    "judicial-support": HQ_JUDICIAL,
}
_SINGLE = {
    "RFA": RFA,
    "mission-notification": MISSION,
    "RFI": RFI,
    "decision-notification": DECISION,
}


def groups_of(kind: str, origin: str | None, categories: tuple[str, ...]) -> tuple[int, ...]:
    """The groups of one request. Only RFCs are broken down by category (SPEC §1); the HQ
    breakdown counts HQ RFCs only, arrest and surrender counts RFCs of any origin (SPEC §3)."""
    if kind in _SINGLE:
        return (_SINGLE[kind],)
    if origin == "HQ":
        found = [RFC_HQ] + [_HQ_CATEGORY[c] for c in categories if c in _HQ_CATEGORY]
    else:
        found = [RFC_CO]
    if "arrest-surrender" in categories:
        found.append(ARREST)
    return tuple(found)
