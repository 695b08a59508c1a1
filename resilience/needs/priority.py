"""Deriving a need's priority (1–5) from its category and the household's vulnerability.

The rule is deliberately simple enough to explain to a coordinator and to an official:

| category                      | base |
|-------------------------------|------|
| evacuation, medical           | 4    |
| food, water                   | 3    |
| psychosocial, clothing, logistics | 2 |

+1 when the household has any vulnerable member (elderly, children under 5, pregnant or
lactating, disabled, chronically ill); +1 more when it has three or more; at most 5.
A coordinator may override the result, giving a reason.
"""

from __future__ import annotations

BASE_PRIORITY = {
    "evacuation": 4,
    "medical": 4,
    "food": 3,
    "water": 3,
    "psychosocial": 2,
    "clothing": 2,
    "logistics": 2,
}


def derive_priority(category: str, vulnerable_members: int) -> int:
    priority = BASE_PRIORITY[category]
    if vulnerable_members >= 1:
        priority += 1
    if vulnerable_members >= 3:
        priority += 1
    return max(1, min(5, priority))
