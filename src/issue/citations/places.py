"""Names of countries and regions: 'Russia (1969)' and 'Timor-Leste (1999)' are dates in running text, not
narrative citations, unless the bibliography has such an author. (A short list kept here: no installed library
ships one, and the grammar only needs to recognise the common names.)"""
from __future__ import annotations

COUNTRIES = """
Afghanistan Albania Algeria Andorra Angola Antigua Argentina Armenia Australia Austria Azerbaijan Bahamas Bahrain
Bangladesh Barbados Belarus Belgium Belize Benin Bhutan Bolivia Bosnia Herzegovina Botswana Brazil Brunei Bulgaria
Burkina Faso Burma Burundi Cambodia Cameroon Canada Cape Verde Chad Chile China Colombia Comoros Congo Costa Rica
Croatia Cuba Cyprus Czechia Czechoslovakia Denmark Djibouti Dominica Ecuador Egypt Salvador Eritrea Estonia Eswatini
Ethiopia Fiji Finland France Gabon Gambia Georgia Germany Ghana Greece Grenada Guatemala Guinea Guyana Haiti
Honduras Hungary Iceland India Indonesia Iran Iraq Ireland Israel Italy Jamaica Japan Jordan Kazakhstan Kenya
Kiribati Korea Kosovo Kuwait Kyrgyzstan Laos Latvia Lebanon Lesotho Liberia Libya Liechtenstein Lithuania
Luxembourg Madagascar Malawi Malaysia Maldives Mali Malta Mauritania Mauritius Mexico Micronesia Moldova Monaco
Mongolia Montenegro Morocco Mozambique Myanmar Namibia Nauru Nepal Netherlands Nicaragua Niger Nigeria Macedonia
Norway Oman Pakistan Palau Palestine Panama Papua Paraguay Peru Philippines Poland Portugal Qatar Romania Russia
Rwanda Samoa Marino Senegal Serbia Seychelles Sierra Leone Singapore Slovakia Slovenia Solomon Somalia Sudan Spain
Sri Lanka Suriname Sweden Switzerland Syria Taiwan Tajikistan Tanzania Thailand Timor Leste Togo Tonga Trinidad
Tobago Tunisia Turkey Türkiye Turkmenistan Tuvalu Uganda Ukraine Emirates Kingdom States Uruguay Uzbekistan Vanuatu
Vatican Venezuela Vietnam Yemen Yugoslavia Zambia Zimbabwe Zaire
Africa Asia Europe America Americas Oceania Antarctica Pacific Atlantic Caribbean Balkans Caucasus Sahel Levant
Arctic Mindanao Aceh Kashmir Tibet Xinjiang Crimea Donbas Darfur Gaza Kurdistan Chechnya Kosovo Bougainville
Hong Kong Macau Okinawa Hokkaido Java Sumatra Borneo Sulawesi Luzon Siberia Manchuria Korea Guam Hawaii
East West North South Central Southeast Northeast Middle Latin Western Eastern Northern Southern
"""

PLACE_WORDS = frozenset(w.lower() for w in COUNTRIES.split())


def is_place(name: str) -> bool:
    """'Russia', 'Myanmar/Burma', 'South Korea', 'Timor-Leste', 'East Asia': every word a place word."""
    import re

    words = [w for w in re.split(r"[\s/\-‐‑]+", name) if w]
    return bool(words) and all(w.lower().strip(".,") in PLACE_WORDS for w in words)
