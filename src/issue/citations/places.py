"""Names of countries, regions and cities: 'Russia (1969)', 'Timor-Leste (1999)', 'Bandung (1955)' are dates in
running text, not narrative citations, unless the bibliography has such an author. (A short list kept here: no
installed library ships one, and the grammar only needs to recognise the common names.)"""
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

# Cities that name events, conferences and treaties in international history ("Bandung (1955)", "Yalta (1945)",
# "Munich (1938)"); cities that are also common surnames (Paris, Berlin, London, Lima, Washington) are left out,
# since "Paris (2004)" is usually Roland Paris.
CITIES = """
Westphalia Utrecht Vienna Versailles Locarno Rapallo Trianon Tilsit Ghent Aachen Augsburg Nuremberg Potsdam Yalta
Munich Geneva Helsinki Dayton Oslo Kyoto Copenhagen Maastricht Lisbon Amsterdam Rome Brussels Strasbourg Hague
Bandung Hiroshima Nagasaki Nanking Nanjing Shanghai Beijing Peking Tokyo Seoul Pyongyang Panmunjom Hanoi Saigon
Manila Jakarta Bali Bangkok Vientiane Phnom Penh Dili Rangoon Yangon Naypyidaw Colombo Delhi Karachi Islamabad
Dhaka Kathmandu Kabul Baghdad Tehran Beirut Damascus Suez Algiers Tripoli Cairo Khartoum Durban Doha Busan Taipei
Moscow Kyiv Kiev Minsk Warsaw Prague Budapest Belgrade Bucharest Sofia Athens Ankara Istanbul Sarajevo Srebrenica
Mostar Tiananmen Fukushima Aleppo Mosul Fallujah Benghazi Kuala Lumpur Canberra Ottawa Pretoria Nairobi Kigali
"""

PLACE_WORDS = frozenset(w.lower() for w in (COUNTRIES + CITIES).split())


def is_place(name: str) -> bool:
    """'Russia', 'Myanmar/Burma', 'South Korea', 'Timor-Leste', 'East Asia': every word a place word."""
    import re

    words = [w for w in re.split(r"[\s/\-‐‑]+", name) if w]
    return bool(words) and all(w.lower().strip(".,") in PLACE_WORDS for w in words)
