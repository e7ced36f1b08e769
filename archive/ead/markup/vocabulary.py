"""The element vocabularies the markup code works with (neutral fragments use EAD 2002's)."""

from __future__ import annotations

EAD2002_ELEMENTS = frozenset(
    "abbr abstract accessrestrict accruals acqinfo address addressline altformavail appraisal "
    "arc archref arrangement bibliography bibref bibseries bioghist blockquote chronitem "
    "chronlist colspec container controlaccess corpname custodhist dao daodesc daogrp daoloc "
    "date defitem descgrp dimensions div edition emph entry event eventgrp expan extent extptr "
    "extptrloc extref extrefloc famname fileplan function genreform geogname head head01 head02 "
    "imprint "
    "index indexentry item label langmaterial language lb legalstatus linkgrp list listhead "
    "materialspec name namegrp note num occupation odd originalsloc origination otherfindaid p "
    "persname physdesc physfacet physloc phystech prefercite processinfo ptr ptrgrp ptrloc "
    "publisher ref refloc relatedmaterial repository resource row scopecontent "
    "separatedmaterial sponsor subarea subject table tbody tgroup thead title unitdate unitid "
    "unittitle userestrict".split()
)
EAD3_ELEMENTS = frozenset(
    "abbr abstract accessrestrict accruals acqinfo address addressline altformavail appraisal "
    "archref arrangement bibliography bibref bioghist blockquote chronitem chronitemset "
    "chronlist colspec container controlaccess corpname custodhist dao daoset date daterange "
    "dateset datesingle defitem descriptivenote didnote dimensions edition emph entry event "
    "expan famname fileplan footnote foreign fromdate function genreform geogname head01 head02 "
    "head03 "
    "geographiccoordinates head index indexentry item label langmaterial language languageset "
    "lb legalstatus list listhead materialspec name namegrp num occupation odd originalsloc "
    "origination otherfindaid p part persname physdesc physdescset physdescstructured "
    "physfacet physloc phystech prefercite processinfo ptr ptrgrp quantity quote ref "
    "relatedmaterial relation relations repository row scopecontent script "
    "separatedmaterial subject table tbody term tgroup thead title todate unitdate "
    "unitdatestructured unitid unittitle unittype userestrict".split()
)

# What EAD3 allows in its most restricted phrase contexts (titleproper, unittitle, abstract).
EAD3_PHRASE = frozenset(
    "emph lb abbr expan foreign ref ptr quote date num persname corpname famname geogname name "
    "subject genreform occupation function title part".split()
)

# Elements that may stand on their own in a note body; anything else (text, emph, date...) is
# "phrase" content and gets a <p> around it when written into a block context.
BLOCK_ELEMENTS = frozenset(
    "p list chronlist table blockquote address note footnote head descgrp indexentry "
    "bibref archref dao daogrp daoset controlaccess div listhead "
    "abstract accessrestrict accruals acqinfo altformavail appraisal arrangement "
    "bibliography bioghist custodhist fileplan index legalstatus odd originalsloc "
    "otherfindaid phystech prefercite processinfo relatedmaterial scopecontent "
    "separatedmaterial userestrict".split()
)
# Block elements that would nest notes inside notes only when the name matches the parent
# note; they are treated as blocks only in that case (see ``normalise_block``).
NOTE_ELEMENTS = frozenset(
    "abstract accessrestrict accruals acqinfo altformavail appraisal arrangement "
    "bibliography bioghist custodhist fileplan index legalstatus odd originalsloc "
    "otherfindaid phystech prefercite processinfo relatedmaterial scopecontent "
    "separatedmaterial userestrict".split()
)

# Attributes that the XSD types as xlink:* in EAD 2002 (unprefixed in the DTD and in our
# neutral fragments).
XLINK_ATTRIBUTES = frozenset(
    "href role arcrole title show actuate type label from to entityref".split()
)
LINK_ELEMENTS_2002 = frozenset(
    "extref extptr ref ptr dao daoloc daogrp archref bibref title extrefloc extptrloc "
    "linkgrp refloc ptrloc resource arc".split()
)

NAME_ELEMENTS = frozenset(
    "persname corpname famname geogname name subject genreform occupation function title".split()
)


STRUCTURED_DATES = frozenset({"datesingle", "daterange", "dateset"})
