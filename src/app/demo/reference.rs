//! The text of the reference tjänsteutlåtande (Arbetsmarknadsförvaltningens answer
//! to Kommunstyrelsen's remiss KS 2019/1939), section by section, as the demo
//! city's decided report. Paragraphs as in the original; its line-end hyphens joined.

pub const TITLE: &str = "Stockholms stads trygghetsprogram 2020-2023";

pub const PROPOSAL: &str = "Arbetsmarknadsnämnden beslutar att hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen.";

pub const SUMMARY: &[&str] = &[
    "Kommunstyrelsen har remitterat ärendet Stockholms stads trygghetsprogram 2020-2023 till arbetsmarknadsnämnden för yttrande.",
    "Programmet ersätter tillsammans med Stockholms stads Säkerhetsprogram 2020-2023 det tidigare För ett tryggare och säkrare Stockholm – Stockholms stads trygghets- och säkerhetsprogram 2018-2021. Förslaget till Stockholms stads trygghetsprogram består i huvudsak av tre delar; hur staden arbetar brottsförebyggande och trygghetsskapande, exempel på stadens trygghetsskapande och brottsförebyggande arbete samt en beskrivning av de verktyg och det stöd som finns tillgängliga.",
    "Arbetsmarknadsförvaltningen anser att förslaget till Stockholms stads trygghetsprogram 2020-2023 har en enkel och logisk uppbyggnad. Programmet beskriver ansvar, övergripande mål och former för samverkan inom det brottsförebyggande och trygghetsskapande arbetet på ett tydligt sätt. Förvaltningen ser fördelarna med att renodla arbetet genom ett trygghetsprogram samtidigt som det innebär fler styrdokument för verksamheterna att förhålla sig till och följa upp.",
    "Arbetsmarknadsförvaltningen önskar lyfta fram att arbetsmarknadsinsatser och stöd till vuxna personer utanför arbetsmarknaden är en viktig trygghetsskapande faktor. Även den uppsökande verksamheten för unga 16-29 år och Vuxenutbildning Stockholms roll som aktör för förebyggande insatser bör poängteras. Förvaltningen föreslår att giltighetstiden ses över då programmet sannolikt kommer att antas och därmed gälla från 2021.",
    "Arbetsmarknadsnämnden föreslås hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen.",
];

pub const PREPARATION: &[&str] = &[
    "Ärendet har beretts inom utvecklings- och utredningsstaben vid arbetsmarknadsförvaltningen.",
];

pub const BACKGROUND: &[&str] = &[
    "Kommunstyrelsen har remitterat ärendet Stockholms stads trygghetsprogram 2020-2023 till arbetsmarknadsnämnden för yttrande.",
    "För ett tryggare och säkrare Stockholm – Stockholms stads trygghets- och säkerhetsprogram 2018-2021 antogs av kommunfullmäktige 2018. Stadens brottsförebyggande och trygghetsskapande arbete var inte beskrivet i större omfattning i det tidigare programmet. För att tydliggöra bland annat begreppsram, analys av data och struktur för stadens brottsförebyggande och trygghetsskapande arbete samlas detta nu i ett separat trygghetsprogram.",
    "Programmet består i huvudsak av tre delar. Hur staden arbetar brottsförebyggande och trygghetsskapande, exempel på stadens trygghetsskapande och brottsförebyggande arbete samt en beskrivning av de verktyg och det stöd som finns tillgängliga.",
    "Hur staden arbetar beskrivs utifrån uppdrag och ansvar, hur arbetet är strukturerat samt den samverkan som sker inom stadens nämnder och bolag samt med externa aktörer som Polisregion Stockholm, Region Stockholm, näringslivet och civilsamhällets aktörer.",
    "Stadens pågående trygghetsskapande och brottsförebyggande arbete beskrivs utifrån fyra olika perspektiv, arbetet i stadens offentliga miljö, förebyggande arbete, riktade sociala insatser och arbetet inom stadsutveckling. Stadens arbete sker inom dessa områden utifrån behov, prioriterade frågor och politiska satta mål. Exempel ges på arbete inom stadens olika nämnder och bolag.",
    "De verktyg och stöd som finns för nämnder, bolag chefer och medarbetare presenteras. Det handlar om information och kommunikation, stödmaterial, relevanta program och hur staden mäter brottslighet och otrygghet.",
];

pub const CONSIDERATIONS: &[&str] = &[
    "Arbetsmarknadsförvaltningen anser att förslaget till Stockholms stads trygghetsprogram 2020-2023 har en enkel och logisk uppbyggnad. Programmet beskriver på ett tydligt sätt ansvar, övergripande mål och former för samverkan inom det brottsförebyggande och trygghetsskapande arbetet.",
    "Arbetsmarknadsförvaltningen är positiv till att programmet på ett tydligt sätt lyfter behovet av samverkan, både mellan nämnder inom staden samt med externa aktörer som exempelvis Polisregion Stockholm, Region Stockholm, näringsliv och civilsamhällets aktörer.",
    "En förhållandevis stor del av programmet ägnas åt att beskriva pågående projekt, insatser och åtgärder inom området brottsförebyggande och trygghet. Beskrivningen ger en tydlig bild av det trygghetsarbete som sker hos stadens nämnder och bolag.",
    "Som programmet är utformat styr det mot kommunfullmäktiges mål om att Stockholm ska vara en trygg, säker och välskött stad att vistas och bor i. Stadens nämnder och bolagsstyrelser ska själva utifrån programmet skapa mål, indikatorer och aktiviteter för att bidra till att målet uppfylls.",
    "Programmet gränsar till flera andra styrdokument som exempelvis säkerhetsprogrammet, överenskommelsen mellan staden och Polisregion Stockholm och Stockholms stads riktlinjer för arbete mot våldsbejakande extremism. Arbetsmarknadsförvaltningen ser fördelarna med att renodla arbetet samtidigt som det innebär fler styrdokument för verksamheterna att förhålla sig till och följa upp.",
    "Arbetsmarknadsförvaltningens roll i det brottsförebyggande och trygghetsskapande arbetet nämns vid ett par tillfällen – i huvudsak kopplat till området ”Riktade sociala insatser” där arbetsmarknadsnämnden pekas ut som en av de nämnder som har särskilt ansvar för området. Främst lyfts arbetet gentemot ungdomar inom ramen för Jobbtorg Stockholm. Förvaltningen delar denna syn. Förvaltningen vill dock också lyfta fram att arbetsmarknadsinsatser och stöd även till vuxna personer utanför arbetsmarknaden är en viktig trygghetsskapande faktor. Hög arbetslöshet i ett område är ofta en bidragande orsak till att områdets utsatthet ökar också i andra avseenden.",
    "Vidare vill arbetsmarknadsförvaltningen peka på att arbetsmarknadsnämnden är en viktig aktör även inom området ”Förebyggande arbetet”. Nämnden riktar ansenliga resurser mot uppsökande verksamhet för unga i åldersspannet 16-29 år. Här når nämnden en stor grupp unga utanför skola och arbetsliv och arbetar aktivt med att lotsa dem tillbaka till studier eller till olika andra insatser. Arbetsmarknadsförvaltningen vill i samband med att programmet lyfter grund och gymnasieskolans viktiga roll i det förebyggande arbetet mot ungdomar också peka på Vuxenutbildning Stockholms roll som aktör för förebyggande insatser även mot vuxna och föräldrar till dessa ungdomar.",
    "Som fackförvaltning är arbetsmarknadsförvaltningens självständiga roll som aktör i det brottsförebyggande och trygghetsskapande arbetet inte helt tydlig i programmet. Förvaltningen ges inte en naturlig plats i de lokala formerna för samverkan som främst utgår från stadsdelsnämnderna. Genom Jobbtorg Stockholm är nämnden dock lokalt närvarande på många håll i staden och jobbtorgen har ett nära samarbete med samtliga stadsdelsförvaltningar. Förvaltningen ser därför fördelar med att tydligare kopplas till det lokala brottsförebyggande och trygghetsskapande arbetet, exempelvis på Järva.",
    "Som ett exempel på samverkan på central nivå nämns på sidan 15 Arbetsmarknadsinsatser för nyanlända mellan nämnder, Civilsamhällesorganisationer och näringsliv. Arbetsmarknadsförvaltningen uppfattar skrivningen som otydlig men vill understryka att arbetsmarknadsinsatser för nyanlända och det pågående arbetet med att utveckla Etableringscentrum för nyanlända är viktiga insatser för att motverka arbetslöshet och utanförskap och därmed viktiga trygghetsskapande insatser. Samverkan med civilsamhället är här en central del i arbetet.",
    "Avslutningsvis föreslår arbetsmarknadsförvaltningen att giltighetstiden ses över då programmet sannolikt kommer att antas och därmed gälla från 2021.",
    "Arbetsmarknadsnämnden föreslås hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen.",
];

pub const SIGNATORIES: [(&str, &str); 2] = [
    ("Karina Uddén", "arbetsmarknadsdirektör"),
    ("Karin Eriksson-Bech", "utvecklingschef"),
];
