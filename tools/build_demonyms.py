#!/usr/bin/env python3
"""Write etl/vocab/demonyms.csv: one row per country with its ACLED name, ISO3, the form used
inside actor names ("the United States"), nationality adjectives/demonyms, capitals and other
names.

The skeleton (ISO3 and official names) comes from pycountry; ACLED's spelling of country
names, adjectives and capitals are kept by hand in HAND below (pycountry has neither).
pycountry is only used here, never at runtime.

    /work/venv/bin/python tools/build_demonyms.py            # rewrites etl/vocab/demonyms.csv
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parent.parent / "etl" / "vocab" / "demonyms.csv"

# Where two countries share an adjective ("Congolese"), the first row claims it.
# ISO3 | ACLED country name ("" = pycountry's common name) | adjectives/demonyms ; separated
#      | capitals ; separated | other names ; separated | actor form ("" = the name)
HAND = """
AFG|Afghanistan|Afghan;Afghani|Kabul||
ALB|Albania|Albanian|Tirana||
DZA|Algeria|Algerian|Algiers||
AND|Andorra|Andorran|Andorra la Vella||
AGO|Angola|Angolan|Luanda||
ATG|Antigua and Barbuda|Antiguan|Saint John's||
ARG|Argentina|Argentine;Argentinian|Buenos Aires||
ARM|Armenia|Armenian|Yerevan||
AUS|Australia|Australian|Canberra||
AUT|Austria|Austrian|Vienna||
AZE|Azerbaijan|Azerbaijani;Azeri|Baku||
BHS|Bahamas|Bahamian|Nassau|The Bahamas|the Bahamas
BHR|Bahrain|Bahraini|Manama||
BGD|Bangladesh|Bangladeshi|Dhaka||
BRB|Barbados|Barbadian|Bridgetown||
BLR|Belarus|Belarusian;Belarussian|Minsk||
BEL|Belgium|Belgian|Brussels||
BLZ|Belize|Belizean|Belmopan||
BEN|Benin|Beninese|Porto-Novo;Cotonou||
BTN|Bhutan|Bhutanese|Thimphu||
BOL|Bolivia|Bolivian|La Paz;Sucre||
BIH|Bosnia and Herzegovina|Bosnian|Sarajevo|Bosnia|
BWA|Botswana|Botswanan;Motswana|Gaborone||
BRA|Brazil|Brazilian|Brasilia;Brasília||
BRN|Brunei|Bruneian|Bandar Seri Begawan|Brunei Darussalam|
BGR|Bulgaria|Bulgarian|Sofia||
BFA|Burkina Faso|Burkinabe;Burkinabè|Ouagadougou|Burkina|
BDI|Burundi|Burundian|Gitega;Bujumbura||
KHM|Cambodia|Cambodian|Phnom Penh||
CMR|Cameroon|Cameroonian|Yaounde;Yaoundé||
CAN|Canada|Canadian|Ottawa||
CPV|Cape Verde|Cape Verdean|Praia|Cabo Verde|
CAF|Central African Republic|Central African|Bangui|CAR|the Central African Republic
TCD|Chad|Chadian|N'Djamena;Ndjamena||
CHL|Chile|Chilean|Santiago||
CHN|China|Chinese|Beijing||
COL|Colombia|Colombian|Bogota;Bogotá||
COM|Comoros|Comorian|Moroni||
COD|Democratic Republic of Congo|Congolese|Kinshasa|DR Congo;DRC;Congo-Kinshasa;Democratic Republic of the Congo;D.R. Congo|the Democratic Republic of Congo
COG|Republic of Congo|Congolese|Brazzaville|Congo-Brazzaville;Congo Republic|the Republic of Congo
CRI|Costa Rica|Costa Rican|San Jose;San José||
CIV|Ivory Coast|Ivorian|Abidjan;Yamoussoukro|Cote d'Ivoire;Côte d'Ivoire|
HRV|Croatia|Croatian|Zagreb||
CUB|Cuba|Cuban|Havana||
CYP|Cyprus|Cypriot|Nicosia||
CZE|Czech Republic|Czech|Prague|Czechia|the Czech Republic
DNK|Denmark|Danish|Copenhagen||
DJI|Djibouti|Djiboutian|Djibouti||
DOM|Dominican Republic|Dominican|Santo Domingo||the Dominican Republic
DMA|Dominica|Dominican|Roseau||
ECU|Ecuador|Ecuadorian;Ecuadorean|Quito||
EGY|Egypt|Egyptian|Cairo||
SLV|El Salvador|Salvadoran;Salvadorean|San Salvador||
GNQ|Equatorial Guinea|Equatoguinean;Equatorial Guinean|Malabo||
ERI|Eritrea|Eritrean|Asmara||
EST|Estonia|Estonian|Tallinn||
SWZ|eSwatini|Swazi;Eswatini|Mbabane|Swaziland;Eswatini|
ETH|Ethiopia|Ethiopian|Addis Ababa||
FJI|Fiji|Fijian|Suva||
FIN|Finland|Finnish|Helsinki||
FRA|France|French|Paris||
GAB|Gabon|Gabonese|Libreville||
GMB|Gambia|Gambian|Banjul|The Gambia|
GEO|Georgia|Georgian|Tbilisi||
DEU|Germany|German|Berlin||
GHA|Ghana|Ghanaian|Accra||
GRC|Greece|Greek|Athens||
GRD|Grenada|Grenadian|Saint George's||
GTM|Guatemala|Guatemalan|Guatemala City||
GIN|Guinea|Guinean|Conakry||
GNB|Guinea-Bissau|Bissau-Guinean|Bissau||
GUY|Guyana|Guyanese|Georgetown||
HTI|Haiti|Haitian|Port-au-Prince||
HND|Honduras|Honduran|Tegucigalpa||
HUN|Hungary|Hungarian|Budapest||
ISL|Iceland|Icelandic|Reykjavik||
IND|India|Indian|New Delhi||
IDN|Indonesia|Indonesian|Jakarta||
IRN|Iran|Iranian|Tehran|Islamic Republic of Iran|
IRQ|Iraq|Iraqi|Baghdad||
IRL|Ireland|Irish|Dublin||
ISR|Israel|Israeli|Jerusalem||
ITA|Italy|Italian|Rome||
JAM|Jamaica|Jamaican|Kingston||
JPN|Japan|Japanese|Tokyo||
JOR|Jordan|Jordanian|Amman||
KAZ|Kazakhstan|Kazakh;Kazakhstani|Astana||
KEN|Kenya|Kenyan|Nairobi||
KIR|Kiribati|I-Kiribati|Tarawa||
PRK|North Korea|North Korean|Pyongyang|DPRK|
KOR|South Korea|South Korean|Seoul|Republic of Korea|
XKX|Kosovo|Kosovar;Kosovan|Pristina||
KWT|Kuwait|Kuwaiti|Kuwait City||
KGZ|Kyrgyzstan|Kyrgyz;Kyrgyzstani|Bishkek|Kyrgyz Republic|
LAO|Laos|Laotian;Lao|Vientiane||
LVA|Latvia|Latvian|Riga||
LBN|Lebanon|Lebanese|Beirut||
LSO|Lesotho|Basotho;Mosotho|Maseru||
LBR|Liberia|Liberian|Monrovia||
LBY|Libya|Libyan|Tripoli||
LIE|Liechtenstein|Liechtensteiner|Vaduz||
LTU|Lithuania|Lithuanian|Vilnius||
LUX|Luxembourg|Luxembourgish|Luxembourg||
MDG|Madagascar|Malagasy|Antananarivo||
MWI|Malawi|Malawian|Lilongwe||
MYS|Malaysia|Malaysian|Kuala Lumpur||
MDV|Maldives|Maldivian|Male||the Maldives
MLI|Mali|Malian|Bamako||
MLT|Malta|Maltese|Valletta||
MHL|Marshall Islands|Marshallese|Majuro||the Marshall Islands
MRT|Mauritania|Mauritanian|Nouakchott||
MUS|Mauritius|Mauritian|Port Louis||
MEX|Mexico|Mexican|Mexico City||
FSM|Micronesia|Micronesian|Palikir||
MDA|Moldova|Moldovan|Chisinau;Chişinău||
MCO|Monaco|Monegasque|Monaco||
MNG|Mongolia|Mongolian|Ulaanbaatar||
MNE|Montenegro|Montenegrin|Podgorica||
MAR|Morocco|Moroccan|Rabat||
MOZ|Mozambique|Mozambican|Maputo||
MMR|Myanmar|Myanmar;Burmese|Naypyidaw;Nay Pyi Taw;Naypyitaw|Burma|
NAM|Namibia|Namibian|Windhoek||
NRU|Nauru|Nauruan|Yaren||
NPL|Nepal|Nepali;Nepalese|Kathmandu||
NLD|Netherlands|Dutch|Amsterdam;The Hague|Holland|the Netherlands
NZL|New Zealand|New Zealand|Wellington||
NIC|Nicaragua|Nicaraguan|Managua||
NER|Niger|Nigerien|Niamey||
NGA|Nigeria|Nigerian|Abuja||
MKD|North Macedonia|Macedonian|Skopje|Macedonia|
NOR|Norway|Norwegian|Oslo||
OMN|Oman|Omani|Muscat||
PAK|Pakistan|Pakistani|Islamabad||
PLW|Palau|Palauan|Ngerulmud||
PSE|Palestine|Palestinian;Gazan|Ramallah|Palestinian Territories;State of Palestine|
PAN|Panama|Panamanian|Panama City||
PNG|Papua New Guinea|Papua New Guinean|Port Moresby||
PRY|Paraguay|Paraguayan|Asuncion;Asunción||
PER|Peru|Peruvian|Lima||
PHL|Philippines|Filipino;Philippine|Manila||the Philippines
POL|Poland|Polish|Warsaw||
PRT|Portugal|Portuguese|Lisbon||
QAT|Qatar|Qatari|Doha||
ROU|Romania|Romanian|Bucharest||
RUS|Russia|Russian|Moscow|Russian Federation|
RWA|Rwanda|Rwandan|Kigali||
KNA|Saint Kitts and Nevis|Kittitian|Basseterre||
LCA|Saint Lucia|Saint Lucian|Castries||
VCT|Saint Vincent and the Grenadines|Vincentian|Kingstown||
WSM|Samoa|Samoan|Apia||
SMR|San Marino|Sammarinese|San Marino||
STP|Sao Tome and Principe|Sao Tomean|Sao Tome||
SAU|Saudi Arabia|Saudi;Saudi Arabian|Riyadh||
SEN|Senegal|Senegalese|Dakar||
SRB|Serbia|Serbian|Belgrade||
SYC|Seychelles|Seychellois|Victoria||
SLE|Sierra Leone|Sierra Leonean|Freetown||
SGP|Singapore|Singaporean|Singapore||
SVK|Slovakia|Slovak;Slovakian|Bratislava||
SVN|Slovenia|Slovenian;Slovene|Ljubljana||
SLB|Solomon Islands|Solomon Islander|Honiara||the Solomon Islands
SOM|Somalia|Somali|Mogadishu||
ZAF|South Africa|South African|Pretoria;Cape Town||
SSD|South Sudan|South Sudanese|Juba||
ESP|Spain|Spanish|Madrid||
LKA|Sri Lanka|Sri Lankan|Colombo;Sri Jayawardenepura Kotte||
SDN|Sudan|Sudanese|Khartoum;Port Sudan||
SUR|Suriname|Surinamese|Paramaribo||
SWE|Sweden|Swedish|Stockholm||
CHE|Switzerland|Swiss|Bern||
SYR|Syria|Syrian|Damascus||
TWN|Taiwan|Taiwanese|Taipei||
TJK|Tajikistan|Tajik;Tajikistani|Dushanbe||
TZA|Tanzania|Tanzanian|Dodoma;Dar es Salaam||
THA|Thailand|Thai|Bangkok||
TLS|East Timor|Timorese;East Timorese|Dili|Timor-Leste|
TGO|Togo|Togolese|Lome;Lomé||
TON|Tonga|Tongan|Nuku'alofa||
TTO|Trinidad and Tobago|Trinidadian|Port of Spain||
TUN|Tunisia|Tunisian|Tunis||
TUR|Turkey|Turkish|Ankara|Turkiye;Türkiye|
TKM|Turkmenistan|Turkmen|Ashgabat||
TUV|Tuvalu|Tuvaluan|Funafuti||
UGA|Uganda|Ugandan|Kampala||
UKR|Ukraine|Ukrainian|Kyiv;Kiev||
ARE|United Arab Emirates|Emirati|Abu Dhabi|UAE|the United Arab Emirates
GBR|United Kingdom|British|London|UK;Britain;Great Britain|the United Kingdom
USA|United States|American;US;U.S.|Washington|United States of America;USA;US;U.S.|the United States
URY|Uruguay|Uruguayan|Montevideo||
UZB|Uzbekistan|Uzbek;Uzbekistani|Tashkent||
VUT|Vanuatu|Ni-Vanuatu|Port Vila||
VAT|Vatican City|Vatican|Vatican City|Holy See|
VEN|Venezuela|Venezuelan|Caracas||
VNM|Vietnam|Vietnamese|Hanoi|Viet Nam|
YEM|Yemen|Yemeni|Sanaa;Sana'a;Aden||
ZMB|Zambia|Zambian|Lusaka||
ZWE|Zimbabwe|Zimbabwean|Harare||
"""

FIELDS = ["iso3", "name", "actor_name", "adjectives", "capitals", "aliases", "official_name"]


def rows() -> list[dict[str, str]]:
    out = []
    for line in HAND.strip().splitlines():
        iso3, name, adjectives, capitals, aliases, actor_name = line.split("|")
        country = pycountry.countries.get(alpha_3=iso3)
        official = ""
        if country is not None:
            official = getattr(country, "common_name", None) or country.name
        out.append({
            "iso3": iso3,
            "name": name or official,
            "actor_name": actor_name or name or official,
            "adjectives": adjectives,
            "capitals": capitals,
            "aliases": aliases,
            "official_name": official if official != name else "",
        })
    return out


def main() -> int:
    data = rows()
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    print(f"wrote {len(data)} countries to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
