//! Fixed vocabularies of the corpus generator ([`super`]): real countries with
//! their ISO 3166-1 alpha-3 codes, English and French names and capitals,
//! international organisations and armed groups, sentence templates per CAMEO
//! root, date words, places, outlets and free-text snippets.
//!
//! Everything here is plain data; the order of each list is part of the
//! generator's output (the same seed gives the same corpus only while these
//! lists stay as they are).

/// Countries in rough order of prominence in the news (the order feeds the
/// actors' Zipf ranks): `ISO|English name|French name|capital (en)|capital (fr)|extra aliases`.
/// A leading `the ` (English) or `la `, `le `, `les `, `l’` (French) is the
/// determiner used in running text, not part of the label.
pub const COUNTRIES: &str = "\
USA|the United States|les États-Unis|Washington|Washington|US;Amérique
RUS|Russia|la Russie|Moscow|Moscou|Fédération de Russie;Rossiya
CHN|China|la Chine|Beijing|Pékin|Peking;RPC
UKR|Ukraine|l’Ukraine|Kyiv|Kiev|Oukraïna
ISR|Israel|Israël|Jerusalem|Jérusalem|État hébreu
FRA|France|la France|Paris|Paris|Hexagone
IRN|Iran|l’Iran|Tehran|Téhéran|République islamique
GBR|the United Kingdom|le Royaume-Uni|London|Londres|UK;Britain;Grande-Bretagne
DEU|Germany|l’Allemagne|Berlin|Berlin|Deutschland;RFA
TUR|Turkey|la Turquie|Ankara|Ankara|Türkiye
AZE|Azerbaijan|l’Azerbaïdjan|Baku|Bakou|Azarbayan;Bagu;Baghu
ARM|Armenia|l’Arménie|Yerevan|Erevan|Hayastan
PRK|North Korea|la Corée du Nord|Pyongyang|Pyongyang|RPDC;DPRK
SYR|Syria|la Syrie|Damascus|Damas|Souria
AFG|Afghanistan|l’Afghanistan|Kabul|Kaboul|Emirat islamique
SAU|Saudi Arabia|l’Arabie saoudite|Riyadh|Riyad|KSA
IND|India|l’Inde|New Delhi|New Delhi|Bharat
PAK|Pakistan|le Pakistan|Islamabad|Islamabad|
EGY|Egypt|l’Égypte|Cairo|le Caire|Misr
IRQ|Iraq|l’Irak|Baghdad|Bagdad|Iraq
KOR|South Korea|la Corée du Sud|Seoul|Séoul|
JPN|Japan|le Japon|Tokyo|Tokyo|Nippon
QAT|Qatar|le Qatar|Doha|Doha|
ARE|the United Arab Emirates|les Émirats arabes unis|Abu Dhabi|Abou Dhabi|UAE;EAU
YEM|Yemen|le Yémen|Sanaa|Sanaa|
LBN|Lebanon|le Liban|Beirut|Beyrouth|
GEO|Georgia|la Géorgie|Tbilisi|Tbilissi|Sakartvelo
BLR|Belarus|la Biélorussie|Minsk|Minsk|Bélarus
POL|Poland|la Pologne|Warsaw|Varsovie|Polska
SDN|Sudan|le Soudan|Khartoum|Khartoum|
PSE|Palestine|la Palestine|Ramallah|Ramallah|
JOR|Jordan|la Jordanie|Amman|Amman|
ITA|Italy|l’Italie|Rome|Rome|Italia
ESP|Spain|l’Espagne|Madrid|Madrid|España
MLI|Mali|le Mali|Bamako|Bamako|
NER|Niger|le Niger|Niamey|Niamey|
BFA|Burkina Faso|le Burkina Faso|Ouagadougou|Ouagadougou|Burkina
NGA|Nigeria|le Nigeria|Abuja|Abuja|Nigéria
ETH|Ethiopia|l’Éthiopie|Addis Ababa|Addis-Abeba|
SOM|Somalia|la Somalie|Mogadishu|Mogadiscio|
COD|the Democratic Republic of the Congo|la République démocratique du Congo|Kinshasa|Kinshasa|DRC;RDC
VEN|Venezuela|le Venezuela|Caracas|Caracas|
BRA|Brazil|le Brésil|Brasília|Brasilia|Brasil
MEX|Mexico|le Mexique|Mexico City|Mexico|México
CAN|Canada|le Canada|Ottawa|Ottawa|
TWN|Taiwan|Taïwan|Taipei|Taipei|Formose
MDA|Moldova|la Moldavie|Chisinau|Chișinău|
SRB|Serbia|la Serbie|Belgrade|Belgrade|Srbija
HUN|Hungary|la Hongrie|Budapest|Budapest|Magyarország
LBY|Libya|la Libye|Tripoli|Tripoli|
DZA|Algeria|l’Algérie|Algiers|Alger|
MAR|Morocco|le Maroc|Rabat|Rabat|
TUN|Tunisia|la Tunisie|Tunis|Tunis|
TCD|Chad|le Tchad|N’Djamena|N’Djaména|
KAZ|Kazakhstan|le Kazakhstan|Astana|Astana|
NLD|the Netherlands|les Pays-Bas|Amsterdam|Amsterdam|Hollande
BEL|Belgium|la Belgique|Brussels|Bruxelles|
CHE|Switzerland|la Suisse|Bern|Berne|Helvétie
AUT|Austria|l’Autriche|Vienna|Vienne|Österreich
SWE|Sweden|la Suède|Stockholm|Stockholm|Sverige
NOR|Norway|la Norvège|Oslo|Oslo|Norge
FIN|Finland|la Finlande|Helsinki|Helsinki|Suomi
DNK|Denmark|le Danemark|Copenhagen|Copenhague|Danmark
GRC|Greece|la Grèce|Athens|Athènes|Hellas
ROU|Romania|la Roumanie|Bucharest|Bucarest|România
BGR|Bulgaria|la Bulgarie|Sofia|Sofia|
HRV|Croatia|la Croatie|Zagreb|Zagreb|Hrvatska
CZE|Czechia|la Tchéquie|Prague|Prague|République tchèque
SVK|Slovakia|la Slovaquie|Bratislava|Bratislava|
LTU|Lithuania|la Lituanie|Vilnius|Vilnius|Lietuva
LVA|Latvia|la Lettonie|Riga|Riga|Latvija
EST|Estonia|l’Estonie|Tallinn|Tallinn|Eesti
PRT|Portugal|le Portugal|Lisbon|Lisbonne|
IRL|Ireland|l’Irlande|Dublin|Dublin|Éire
CUB|Cuba|Cuba|Havana|la Havane|
COL|Colombia|la Colombie|Bogotá|Bogota|
ARG|Argentina|l’Argentine|Buenos Aires|Buenos Aires|
CHL|Chile|le Chili|Santiago|Santiago du Chili|
PER|Peru|le Pérou|Lima|Lima|Perú
BOL|Bolivia|la Bolivie|La Paz|La Paz|
ECU|Ecuador|l’Équateur|Quito|Quito|
NIC|Nicaragua|le Nicaragua|Managua|Managua|
HTI|Haiti|Haïti|Port-au-Prince|Port-au-Prince|
SSD|South Sudan|le Soudan du Sud|Juba|Djouba|
ERI|Eritrea|l’Érythrée|Asmara|Asmara|
KEN|Kenya|le Kenya|Nairobi|Nairobi|
UGA|Uganda|l’Ouganda|Kampala|Kampala|
RWA|Rwanda|le Rwanda|Kigali|Kigali|
COG|the Republic of the Congo|la République du Congo|Brazzaville|Brazzaville|Congo-Brazzaville
CMR|Cameroon|le Cameroun|Yaoundé|Yaoundé|
CAF|the Central African Republic|la Centrafrique|Bangui|Bangui|RCA
SEN|Senegal|le Sénégal|Dakar|Dakar|
CIV|Ivory Coast|la Côte d’Ivoire|Yamoussoukro|Yamoussoukro|Côte d'Ivoire
GHA|Ghana|le Ghana|Accra|Accra|
ZAF|South Africa|l’Afrique du Sud|Pretoria|Pretoria|RSA
ZWE|Zimbabwe|le Zimbabwe|Harare|Harare|
MOZ|Mozambique|le Mozambique|Maputo|Maputo|
AGO|Angola|l’Angola|Luanda|Luanda|
TZA|Tanzania|la Tanzanie|Dodoma|Dodoma|
MDG|Madagascar|Madagascar|Antananarivo|Antananarivo|
IDN|Indonesia|l’Indonésie|Jakarta|Jakarta|
PHL|the Philippines|les Philippines|Manila|Manille|Pilipinas
VNM|Vietnam|le Viêt Nam|Hanoi|Hanoï|
THA|Thailand|la Thaïlande|Bangkok|Bangkok|
MMR|Myanmar|la Birmanie|Naypyidaw|Naypyidaw|Burma
MYS|Malaysia|la Malaisie|Kuala Lumpur|Kuala Lumpur|
SGP|Singapore|Singapour|Singapore|Singapour|
KHM|Cambodia|le Cambodge|Phnom Penh|Phnom Penh|
LAO|Laos|le Laos|Vientiane|Vientiane|
BGD|Bangladesh|le Bangladesh|Dhaka|Dacca|
LKA|Sri Lanka|le Sri Lanka|Colombo|Colombo|
NPL|Nepal|le Népal|Kathmandu|Katmandou|
MNG|Mongolia|la Mongolie|Ulaanbaatar|Oulan-Bator|
UZB|Uzbekistan|l’Ouzbékistan|Tashkent|Tachkent|
KGZ|Kyrgyzstan|le Kirghizistan|Bishkek|Bichkek|
TJK|Tajikistan|le Tadjikistan|Dushanbe|Douchanbé|
TKM|Turkmenistan|le Turkménistan|Ashgabat|Achgabat|
AUS|Australia|l’Australie|Canberra|Canberra|
NZL|New Zealand|la Nouvelle-Zélande|Wellington|Wellington|Aotearoa
OMN|Oman|Oman|Muscat|Mascate|
KWT|Kuwait|le Koweït|Kuwait City|Koweït|
BHR|Bahrain|Bahreïn|Manama|Manama|
CYP|Cyprus|Chypre|Nicosia|Nicosie|
ALB|Albania|l’Albanie|Tirana|Tirana|
MKD|North Macedonia|la Macédoine du Nord|Skopje|Skopje|
BIH|Bosnia and Herzegovina|la Bosnie-Herzégovine|Sarajevo|Sarajevo|
MNE|Montenegro|le Monténégro|Podgorica|Podgorica|
SVN|Slovenia|la Slovénie|Ljubljana|Ljubljana|
ISL|Iceland|l’Islande|Reykjavik|Reykjavik|
LUX|Luxembourg|le Luxembourg|Luxembourg|Luxembourg|
MLT|Malta|Malte|Valletta|la Valette|
GTM|Guatemala|le Guatemala|Guatemala City|Guatemala|
HND|Honduras|le Honduras|Tegucigalpa|Tegucigalpa|
SLV|El Salvador|le Salvador|San Salvador|San Salvador|
PAN|Panama|le Panama|Panama City|Panama|
URY|Uruguay|l’Uruguay|Montevideo|Montevideo|
PRY|Paraguay|le Paraguay|Asunción|Asuncion|
DOM|the Dominican Republic|la République dominicaine|Santo Domingo|Saint-Domingue|
GIN|Guinea|la Guinée|Conakry|Conakry|Guinée-Conakry
GNB|Guinea-Bissau|la Guinée-Bissau|Bissau|Bissau|
GNQ|Equatorial Guinea|la Guinée équatoriale|Malabo|Malabo|
GAB|Gabon|le Gabon|Libreville|Libreville|
BEN|Benin|le Bénin|Porto-Novo|Porto-Novo|
TGO|Togo|le Togo|Lomé|Lomé|
MRT|Mauritania|la Mauritanie|Nouakchott|Nouakchott|
LBR|Liberia|le Liberia|Monrovia|Monrovia|
SLE|Sierra Leone|la Sierra Leone|Freetown|Freetown|
ZMB|Zambia|la Zambie|Lusaka|Lusaka|
MWI|Malawi|le Malawi|Lilongwe|Lilongwe|
BDI|Burundi|le Burundi|Gitega|Gitega|
DJI|Djibouti|Djibouti|Djibouti City|Djibouti|
NAM|Namibia|la Namibie|Windhoek|Windhoek|
BWA|Botswana|le Botswana|Gaborone|Gaborone|
VAT|the Holy See|le Saint-Siège|Vatican City|le Vatican|";

/// Actors that belong to no state's hierarchy, or to one as a group:
/// `ID|type|country|parent|English name|French name|extra aliases`.
pub const OTHER_ACTORS: &str = "\
UN|igo|||the United Nations|les Nations unies|ONU;Nations Unies
EU|igo|||the European Union|l’Union européenne|UE;Union européenne
NATO|igo|||NATO|l’OTAN|Alliance atlantique;North Atlantic Treaty Organization
UN.UNSC|igo||UN|the UN Security Council|le Conseil de sécurité|CSNU;UNSC
AFG.TALIBAN|armed_group|AFG||the Taliban|les talibans|Taleban;Talibans
RUS.WAGNER|armed_group|RUS||the Wagner Group|le groupe Wagner|Wagner;PMC Wagner
ISIL|armed_group|||the Islamic State|l’État islamique|Daech;ISIS;Daesh
PSE.HAMAS|armed_group|PSE||Hamas|le Hamas|Harakat al-Muqawama
LBN.HEZBOLLAH|armed_group|LBN||Hezbollah|le Hezbollah|Hizbollah;Hizballah
YEM.HOUTHI|armed_group|YEM||the Houthis|les Houthis|Ansar Allah;Houthistes
AU|igo|||the African Union|l’Union africaine|UA
EU.COM|igo||EU|the European Commission|la Commission européenne|Commission de Bruxelles
UN.UNHCR|igo||UN|UNHCR|le HCR|Haut-Commissariat pour les réfugiés
UN.IAEA|igo||UN|the IAEA|l’AIEA|Agence internationale de l’énergie atomique
OSCE|igo|||the OSCE|l’OSCE|Organization for Security and Co-operation in Europe
ICRC|ngo|||the ICRC|le CICR|Red Cross;Croix-Rouge
SDN.RSF|armed_group|SDN||the Rapid Support Forces|les Forces de soutien rapide|FSR;RSF
SOM.SHABAAB|armed_group|SOM||al-Shabaab|les Shebab|Shabab;Chabab
NGA.BOKOHARAM|armed_group|NGA||Boko Haram|Boko Haram|Jama’atu Ahlis Sunna
MLI.JNIM|armed_group|MLI||JNIM|le JNIM|GSIM
COD.M23|armed_group|COD||the M23|le M23|Mouvement du 23 mars;March 23 Movement
LAS|igo|||the Arab League|la Ligue arabe|League of Arab States
GCC|igo|||the Gulf Cooperation Council|le Conseil de coopération du Golfe|CCG
ECOWAS|igo|||ECOWAS|la CEDEAO|Communauté économique des États de l’Afrique de l’Ouest
ASEAN|igo|||ASEAN|l’ASEAN|Association of Southeast Asian Nations
CSTO|igo|||the CSTO|l’OTSC|Collective Security Treaty Organization
SCO|igo|||the Shanghai Cooperation Organisation|l’Organisation de coopération de Shanghai|OCS
IMF|igo|||the IMF|le FMI|International Monetary Fund;Fonds monétaire international
WB|igo|||the World Bank|la Banque mondiale|Banque Mondiale
UN.WFP|igo||UN|the World Food Programme|le Programme alimentaire mondial|PAM;WFP
UN.WHO|igo||UN|the World Health Organization|l’Organisation mondiale de la santé|OMS
ICC|igo|||the International Criminal Court|la Cour pénale internationale|CPI
OPEC|igo|||OPEC|l’OPEP|Organisation des pays exportateurs de pétrole
MSF|ngo|||Doctors Without Borders|Médecins sans frontières|MSF
AMNESTY|ngo|||Amnesty International|Amnesty International|Amnistie internationale
HRW|ngo|||Human Rights Watch|Human Rights Watch|
AFP|media|FRA||Agence France-Presse|l’Agence France-Presse|AFP
REUTERS|media|GBR||Reuters|l’agence Reuters|Thomson Reuters
RUS.GAZPROM|business|RUS||Gazprom|Gazprom|Gazprom PJSC
CHN.HUAWEI|business|CHN||Huawei|Huawei|Huawei Technologies
COL.ELN|armed_group|COL||the National Liberation Army|l’Armée de libération nationale|ELN
MMR.AA|armed_group|MMR||the Arakan Army|l’Armée d’Arakan|Arakan Army";

/// Sentence templates per CAMEO root: (French past participle phrase, French
/// infinitive phrase, English past phrase, English base phrase). `{T}` is the
/// target; every French `{T}` follows a word that does not contract with a
/// determiner (`avec`, `contre`, `par`, `pour`, `sur` or a direct object).
pub type Template = (&'static str, &'static str, &'static str, &'static str);

pub fn templates(root: &str) -> &'static [Template] {
    match root {
        "01" => &[
            (
                "commenté ses relations avec {T}",
                "commenter ses relations avec {T}",
                "commented on its ties with {T}",
                "comment on its ties with {T}",
            ),
            (
                "qualifié de « constructifs » ses échanges avec {T}",
                "qualifier de « constructifs » ses échanges avec {T}",
                "called its talks with {T} “constructive”",
                "call its talks with {T} “constructive”",
            ),
        ],
        "02" => &[
            (
                "appelé {T} à la retenue",
                "appeler {T} à la retenue",
                "called on {T} to show restraint",
                "call on {T} to show restraint",
            ),
            (
                "sollicité une aide financière pour {T}",
                "solliciter une aide financière pour {T}",
                "appealed for financial help for {T}",
                "appeal for financial help for {T}",
            ),
        ],
        "03" => &[
            (
                "promis de coopérer avec {T}",
                "promettre de coopérer avec {T}",
                "pledged to cooperate with {T}",
                "pledge to cooperate with {T}",
            ),
            (
                "proposé une médiation entre les parties et {T}",
                "proposer une médiation avec {T}",
                "offered to mediate with {T}",
                "offer to mediate with {T}",
            ),
        ],
        "04" => &[
            ("rencontré {T}", "rencontrer {T}", "met {T}", "meet {T}"),
            ("parlé avec {T}", "parler avec {T}", "spoke with {T}", "speak with {T}"),
            (
                "engagé des consultations avec {T}",
                "engager des consultations avec {T}",
                "opened consultations with {T}",
                "open consultations with {T}",
            ),
        ],
        "05" => &[
            (
                "salué sa coopération avec {T}",
                "saluer sa coopération avec {T}",
                "praised its cooperation with {T}",
                "praise its cooperation with {T}",
            ),
            (
                "signé une déclaration commune avec {T}",
                "signer une déclaration commune avec {T}",
                "signed a joint declaration with {T}",
                "sign a joint declaration with {T}",
            ),
        ],
        "06" => &[
            (
                "conclu un accord avec {T}",
                "conclure un accord avec {T}",
                "concluded a deal with {T}",
                "conclude a deal with {T}",
            ),
            (
                "lancé des échanges techniques avec {T}",
                "lancer des échanges techniques avec {T}",
                "launched technical exchanges with {T}",
                "launch technical exchanges with {T}",
            ),
        ],
        "07" => &[
            (
                "débloqué une aide pour {T}",
                "débloquer une aide pour {T}",
                "released aid for {T}",
                "release aid for {T}",
            ),
            (
                "livré du matériel médical pour {T}",
                "livrer du matériel médical pour {T}",
                "delivered medical supplies for {T}",
                "deliver medical supplies for {T}",
            ),
        ],
        "08" => &[
            (
                "accepté les conditions posées par {T}",
                "accepter les conditions posées par {T}",
                "accepted the conditions set by {T}",
                "accept the conditions set by {T}",
            ),
            (
                "levé les restrictions visant {T}",
                "lever les restrictions visant {T}",
                "lifted the restrictions on {T}",
                "lift the restrictions on {T}",
            ),
        ],
        "09" => &[(
            "ouvert une enquête visant {T}",
            "ouvrir une enquête visant {T}",
            "opened an investigation into {T}",
            "open an investigation into {T}",
        )],
        "10" => &[
            (
                "sommé {T} de s’expliquer",
                "sommer {T} de s’expliquer",
                "demanded explanations from {T}",
                "demand explanations from {T}",
            ),
            (
                "exigé une trêve avec {T}",
                "exiger une trêve avec {T}",
                "demanded a ceasefire with {T}",
                "demand a ceasefire with {T}",
            ),
        ],
        "11" => &[
            ("critiqué {T}", "critiquer {T}", "criticised {T}", "criticise {T}"),
            (
                "accusé {T} de « provocation »",
                "accuser {T} de « provocation »",
                "accused {T} of “provocation”",
                "accuse {T} of “provocation”",
            ),
        ],
        "12" => &[
            (
                "rejeté l’offre faite par {T}",
                "rejeter l’offre faite par {T}",
                "rejected the proposal made by {T}",
                "reject the proposal made by {T}",
            ),
            (
                "refusé toute négociation avec {T}",
                "refuser toute négociation avec {T}",
                "refused any negotiation with {T}",
                "refuse any negotiation with {T}",
            ),
        ],
        "13" => &[
            (
                "menacé {T} de sanctions",
                "menacer {T} de sanctions",
                "threatened {T} with sanctions",
                "threaten {T} with sanctions",
            ),
            (
                "lancé un ultimatum contre {T}",
                "lancer un ultimatum contre {T}",
                "issued an ultimatum to {T}",
                "issue an ultimatum to {T}",
            ),
        ],
        "14" => &[("manifesté contre {T}", "manifester contre {T}", "protested against {T}", "protest against {T}")],
        "15" => &[
            (
                "massé des troupes contre {T}",
                "masser des troupes contre {T}",
                "massed troops against {T}",
                "mass troops against {T}",
            ),
            (
                "mis ses forces en alerte contre {T}",
                "mettre ses forces en alerte contre {T}",
                "put its forces on alert against {T}",
                "put its forces on alert against {T}",
            ),
        ],
        "16" => &[
            ("rompu ses relations avec {T}", "rompre ses relations avec {T}", "cut ties with {T}", "cut ties with {T}"),
            (
                "suspendu son aide pour {T}",
                "suspendre son aide pour {T}",
                "suspended its aid to {T}",
                "suspend its aid to {T}",
            ),
        ],
        "17" => &[
            (
                "imposé des sanctions contre {T}",
                "imposer des sanctions contre {T}",
                "imposed sanctions on {T}",
                "impose sanctions on {T}",
            ),
            (
                "arrêté des militants soutenus par {T}",
                "arrêter des militants soutenus par {T}",
                "arrested activists backed by {T}",
                "arrest activists backed by {T}",
            ),
        ],
        "18" => &[("attaqué {T}", "attaquer {T}", "attacked {T}", "attack {T}")],
        "19" => &[
            (
                "bombardé des positions tenues par {T}",
                "bombarder des positions tenues par {T}",
                "shelled positions held by {T}",
                "shell positions held by {T}",
            ),
            ("affronté {T}", "affronter {T}", "clashed with {T}", "clash with {T}"),
        ],
        _ => &[(
            "mené une attaque massive contre {T}",
            "mener une attaque massive contre {T}",
            "carried out a massive attack on {T}",
            "carry out a massive attack on {T}",
        )],
    }
}

/// How often each CAMEO root is drawn (verbal cooperation and consultations
/// dominate news reports), roots 01 to 20.
pub const ROOT_WEIGHTS: [u64; 20] = [12, 6, 8, 14, 6, 4, 4, 3, 2, 4, 8, 5, 4, 3, 2, 3, 4, 4, 6, 1];

/// The object of an event without a target, in place of `{T}`.
pub const NO_TARGET_FR: &[&str] =
    &["des interlocuteurs non identifiés", "plusieurs groupes locaux", "des acteurs régionaux"];
pub const NO_TARGET_EN: &[&str] = &["unidentified parties", "several local groups", "regional players"];

pub const PREFIX_FR: &[&str] = &[
    "Selon l’AFP, ",
    "D’après des sources diplomatiques, ",
    "Dans un communiqué, ",
    "Selon plusieurs témoins, ",
    "De source officielle, ",
    "Par ailleurs, ",
];
pub const PREFIX_EN: &[&str] = &[
    "According to Reuters, ",
    "According to diplomatic sources, ",
    "In a statement, ",
    "According to witnesses, ",
    "Officially, ",
    "Meanwhile, ",
];

pub const FILLER_FR: &[&str] = &[
    "La situation reste tendue dans la région.",
    "Aucun bilan officiel n’a été communiqué.",
    "« Nous suivons la situation de très près », a confié un diplomate sous couvert d’anonymat.",
    "Les discussions doivent reprendre la semaine prochaine.",
    "Les marchés ont réagi avec nervosité à l’annonce.",
    "Plusieurs observateurs s’inquiètent d’une escalade.",
    "L’information n’a pas pu être vérifiée de source indépendante.",
    "Le calendrier des négociations reste incertain.",
];
pub const FILLER_EN: &[&str] = &[
    "The situation in the region remains tense.",
    "No official toll has been released.",
    "“We are following the situation very closely,” a diplomat said on condition of anonymity.",
    "Talks are due to resume next week.",
    "Markets reacted nervously to the announcement.",
    "Several observers fear an escalation.",
    "The information could not be independently verified.",
    "The timetable for the negotiations remains unclear.",
];

pub const TOPIC_FR: &[&str] = &[
    "les tensions montent",
    "vers un accord ?",
    "escalade à la frontière",
    "la diplomatie à l’épreuve",
    "ce que l’on sait",
    "un dialogue fragile",
];
pub const TOPIC_EN: &[&str] = &[
    "tensions rise",
    "a deal in sight?",
    "escalation at the border",
    "diplomacy under strain",
    "what we know",
    "a fragile dialogue",
];

pub const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
pub const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Places for `location`: (French, English).
pub const PLACES: &[(&str, &str)] = &[
    ("Genève", "Geneva"),
    ("Kharkiv", "Kharkiv"),
    ("Alep", "Aleppo"),
    ("Gaza", "Gaza"),
    ("Haut-Karabakh", "Nagorno-Karabakh"),
    ("Donetsk", "Donetsk"),
    ("Goma", "Goma"),
    ("Tombouctou", "Timbuktu"),
    ("Mossoul", "Mosul"),
    ("Hodeïda", "Hodeidah"),
    ("Darfour", "Darfur"),
    ("Odessa", "Odesa"),
    ("Sotchi", "Sochi"),
    ("Istanbul", "Istanbul"),
    ("Munich", "Munich"),
    ("Davos", "Davos"),
    ("Kandahar", "Kandahar"),
    ("Tigré", "Tigray"),
];

/// (CSV unit, French tail with `{q}`, English tail with `{q}`).
pub const UNITS: &[(&str, &str, &str)] = &[
    ("soldiers", ", mobilisant {q} soldats", ", involving {q} soldiers"),
    ("deaths", ", faisant {q} morts", ", leaving {q} dead"),
    ("drones", ", avec {q} drones", ", with {q} drones"),
    ("missiles", ", tirant {q} missiles", ", firing {q} missiles"),
    ("detainees", ", et {q} personnes ont été détenues", ", and {q} people were detained"),
    ("tonnes", ", soit {q} tonnes de fret", ", some {q} tonnes of cargo"),
];

pub const OUTLETS_FR: &[(&str, &str)] = &[
    ("Le Monde", "www.lemonde.fr"),
    ("Le Figaro", "www.lefigaro.fr"),
    ("RFI", "www.rfi.fr"),
    ("France 24", "www.france24.com"),
    ("Libération", "www.liberation.fr"),
    ("Le Temps", "www.letemps.ch"),
];
pub const OUTLETS_EN: &[(&str, &str)] = &[
    ("Reuters", "www.reuters.com"),
    ("The Guardian", "www.theguardian.com"),
    ("BBC News", "www.bbc.co.uk"),
    ("Al Jazeera English", "www.aljazeera.com"),
    ("AP News", "apnews.com"),
];

pub const ANNOTATORS: &[&str] = &["mk", "jdupont", "a.lefèvre", "sk", "lina.r", "tool:inception"];

/// Event notes: commas, doubled quotes and line breaks exercise CSV quoting.
pub const EVENT_NOTES: &[&str] = &[
    "date inferred from the publication date",
    "two readings possible: \"talks\" or \"negotiations\"",
    "source quoted second-hand, via the agency, not confirmed",
    "check the translation;\nthe French text is ambiguous",
    "« provocation » is the speaker’s word, not the paper’s",
    "target unclear, see paragraph 3,\nsecond sentence",
];
pub const MENTION_NOTES: &[&str] =
    &["metonymy: the capital stands for the state", "spelling as in the text, sic", "title, not the name"];
pub const ARTICLE_NOTES: &[&str] = &[
    "machine translation checked by hand",
    "paywalled; text from the print edition, \"page 4\"",
    "live blog, several updates merged,\nonly the first kept",
];

/// Syllables for generated person names and group names.
pub const FIRST_NAMES: &[&str] = &[
    "Ivan", "Sergueï", "Ahmed", "Leïla", "João", "Zoé", "Anna", "Mehmet", "Olena", "Jean", "Fatima", "Kwame", "Lin",
    "Hiroshi", "Ana", "Björn", "Aylin", "Dmitri", "Amina", "Pedro", "Nadia", "Youssef", "Élise", "Tomasz", "Irina",
    "Omar", "Chloé", "Rahul", "Mariam", "Luis",
];
pub const SURNAME_HEADS: &[&str] = &[
    "Kar", "Vel", "Mor", "Ben", "Sal", "Dar", "Tem", "Nov", "Ler", "Gar", "Hal", "Zor", "Mal", "Tar", "Bel", "Ros",
    "Vad", "Kas", "Fen", "Lund", "Ost", "Par", "Rab", "Sef", "Um", "Jas", "Kov", "Mir", "Nad", "Or",
];
pub const SURNAME_MIDS: &[&str] = &["a", "o", "i", "e", "u", "", "an", "el"];
pub const SURNAME_TAILS: &[&str] = &[
    "nov", "ova", "ev", "ski", "ez", "ani", "ović", "ier", "son", "berg", "ard", "elli", "ás", "ès", "yan", "oğlu",
    "ou", "ra", "di", "enko",
];

/// Regions for generated armed groups: (French, English).
pub const REGION_HEADS: &[&str] = &["Kar", "Nor", "Sel", "Ama", "Tib", "Oua", "Ler", "Zan", "Mav", "Ost"];
pub const REGION_TAILS: &[&str] = &["vanie", "dor", "ista", "land", "abad", "ène", "oma", "ir"];
