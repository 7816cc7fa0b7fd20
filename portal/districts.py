"""The city's districts (stadsdelsområden): the one list that an organisation's districts of
activity and the programme list's district filter choose from, and the demo's district committees
are named after. Stockholm's districts of 2016 (shared/source/guidelines-excerpt.md)."""
from __future__ import annotations

CITY_DISTRICTS = (
    "Rinkeby-Kista", "Spånga-Tensta", "Hässelby-Vällingby", "Bromma", "Kungsholmen", "Norrmalm",
    "Östermalm", "Södermalm", "Enskede-Årsta-Vantör", "Skarpnäck", "Farsta", "Älvsjö",
    "Hägersten-Liljeholmen", "Skärholmen",
)


def city_districts() -> list[str]:
    return list(CITY_DISTRICTS)
