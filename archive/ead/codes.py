"""Code lists of the EAD 2002 schema (200804 release), extracted from ead.xsd.

The 2008 XSD restricts @countrycode, @langcode, @scriptcode to these ISO lists and
@mainagencycode/@repositorycode to ``REPOSITORY_CODE``.  Writers check values against them so
that exports validate; a value outside the lists is not dropped but moved into the text or a
note (see the writers).  EAD3 types these attributes as free tokens.
"""

from __future__ import annotations

import re

COUNTRY_CODES: frozenset[str] = frozenset(
    (
        "AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BM BN BO "
        "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CS CU CV CX CY CZ DE DJ DK "
        "DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GH GI GL GM GN GP GQ GR "
        "GS GT GU GW GY HK HM HN HR HT HU ID IE IL IN IO IQ IR IS IT JM JO JP KE KG KH KI KM KN "
        "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD MG MH MK ML MM MN MO MP MQ MR "
        "MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
        "PN PR PS PT PW PY QA RE RO RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR ST SV SY "
        "SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN "
        "VU WF WS YE YT ZA ZM ZW "
    ).split()
)

LANGUAGE_CODES: frozenset[str] = frozenset(
    (
        "aar abk ace ach ada ady afa afh afr aka akk alb ale alg amh ang apa ara arc arg arm arn "
        "arp art arw asm ast ath aus ava ave awa aym aze bad bai bak bal bam ban baq bas bat bej "
        "bel bem ben ber bho bih bik bin bis bla bnt bod bos bra bre btk bua bug bul bur byn cad "
        "cai car cat cau ceb cel ces cha chb che chg chi chk chm chn cho chp chr chu chv chy cmc "
        "cop cor cos cpe cpf cpp cre crh crp csb cus cym cze dak dan dar day del den deu dgr din "
        "div doi dra dsb dua dum dut dyu dzo efi egy eka ell elx eng enm epo est eus ewe ewo fan "
        "fao fas fat fij fil fin fiu fon fra fre frm fro fry ful fur gaa gay gba gem geo ger gez "
        "gil gla gle glg glv gmh goh gon gor got grb grc gre grn guj gwi hai hat hau haw heb her "
        "hil him hin hit hmn hmo hrv hsb hun hup hye iba ibo ice ido iii ijo iku ile ilo ina inc "
        "ind ine inh ipk ira iro isl ita jav jbo jpn jpr jrb kaa kab kac kal kam kan kar kas kat "
        "kau kaw kaz kbd kha khi khm kho kik kin kir kmb kok kom kon kor kos kpe krc kro kru kua "
        "kum kur kut lad lah lam lao lat lav lez lim lin lit lol loz ltz lua lub lug lui lun luo "
        "lus mac mad mag mah mai mak mal man mao map mar mas may mdf mdr men mga mic min mis mkd "
        "mkh mlg mlt mnc mni mno moh mol mon mos mri msa mul mun mus mwl mwr mya myn myv nah nai "
        "nap nau nav nbl nde ndo nds nep new nia nic niu nld nno nob nog non nor nso nub nwc nya "
        "nym nyn nyo nzi oci oji ori orm osa oss ota oto paa pag pal pam pan pap pau peo per phi "
        "phn pli pol pon por pra pro pus que raj rap rar roa roh rom ron rum run rus sad sag sah "
        "sai sal sam san sas sat scc scn sco scr sel sem sga sgn shn sid sin sio sit sla slk slo "
        "slv sma sme smi smj smn smo sms sna snd snk sog som son sot spa sqi srd srp srr ssa ssw "
        "suk sun sus sux swa swe syr tah tai tam tat tel tem ter tet tgk tgl tha tib tig tir tiv "
        "tkl tlh tli tmh tog ton tpi tsi tsn tso tuk tum tup tur tut tvl twi tyv udm uga uig ukr "
        "umb und urd uzb vai ven vie vol vot wak wal war was wel wen wln wol xal xho yao yap yid "
        "yor ypk zap zen zha zho znd zul zun "
    ).split()
)

SCRIPT_CODES: frozenset[str] = frozenset(
    (
        "Arab Armn Bali Batk Beng Blis Bopo Brah Brai Bugi Buhd Cans Cham Cher Cirt Copt Cprt "
        "Cyrl Cyrs Deva Dsrt Egyd Egyh Egyp Ethi Geok Geor Glag Goth Grek Gujr Guru Hang Hani "
        "Hano Hans Hant Hebr Hira Hmng Hrkt Hung Inds Ital Java Kali Kana Khar Khmr Knda Laoo "
        "Latf Latg Latn Lepc Limb Lina Linb Mand Maya Mero Mlym Mong Mymr Nkoo Ogam Orkh Orya "
        "Osma Perm Phag Phnx Plrd Qaaa Qabx Roro Runr Sara Shaw Sinh Sylo Syrc Syre Syrj Syrn "
        "Tagb Tale Talu Taml Telu Teng Tfng Tglg Thaa Thai Tibt Ugar Vaii Visp Xpeo Xsux Yiii "
        "Zxxx Zyyy Zzzz "
    ).split()
)

REPOSITORY_CODE = re.compile(
    r"^(?:"
    r"((AF|AX|AL|DZ|AS|AD|AO|AI|AQ|AG|AR|AM|AW|AU|AT|AZ|BS|BH|BD|BB|BY|BE|BZ|BJ|BM|BT|"
    r"BO|BA|BW|BV|BR|IO|BN|BG|BF|BI|KH|CM|CA|CV|KY|CF|TD|CL|CN|CX|CC|CO|KM|CG|CD|CK|CR"
    r"|CI|HR|CU|CY|CZ|DK|DJ|DM|DO|EC|EG|SV|GQ|ER|EE|ET|FK|FO|FJ|FI|FR|GF|PF|TF|GA|GM|G"
    r"E|DE|GH|GI|GR|GL|GD|GP|GU|GT|GN|GW|GY|HT|HM|VA|HN|HK|HU|IS|IN|ID|IR|IQ|IE|IL|IT|"
    r"JM|JP|JO|KZ|KE|KI|KP|KR|KW|KG|LA|LV|LB|LS|LR|LY|LI|LT|LU|MO|MK|MG|MW|MY|MV|ML|MT"
    r"|MH|MQ|MR|MU|YT|MX|FM|MD|MC|MN|MS|MA|MZ|MM|NA|NR|NP|NL|AN|NC|NZ|NI|NE|NG|NU|NF|M"
    r"P|NO|OM|PK|PW|PS|PA|PG|PY|PE|PH|PN|PL|PT|PR|QA|RE|RO|RU|RW|SH|KN|LC|PM|VC|WS|SM|"
    r"ST|SA|SN|CS|SC|SL|SG|SK|SI|SB|SO|ZA|GS|ES|LK|SD|SR|SJ|SZ|SE|CH|SY|TW|TJ|TZ|TH|TL"
    r"|TG|TK|TO|TT|TN|TR|TM|TC|TV|UG|UA|AE|GB|US|UM|UY|UZ|VU|VE|VN|VG|VI|WF|EH|YE|ZM|Z"
    r"W)|([a-zA-Z]{1})|([a-zA-Z]{3,4}))(-[a-zA-Z0-9:/\-]{1,11})"
    r")$"
)
