"""Words that mark a sentence as advice to citizens, or as addressed to them (ky, ru, en).
Pure."""

from __future__ import annotations

import re

ADVICE = re.compile(
    r"\b(?:"
    # ru
    r"призв\w*|призыва\w*|совету\w*|рекоменд\w*|избега\w*|избегайте|оставаться|воздерж\w*|"
    r"не\s+принимать|не\s+выезжать|не\s+посещать|просим|следует|"
    # ky: plural imperatives (-гыла, -кыла ...) and advice verbs
    r"сунушта\w*|кайрылгыла|качкыла|калгыла|болбогула|чакыр\w*|\w+(?:гыла|гиле|гула|гүлө|"
    r"кыла|киле|кула|күлө)|керек|"
    # en
    r"avoid\w*|stay\w*|advise\w*|recommend\w*|do\s+not|don't|should|leave|follow\w*|"
    r"urge\w*|refrain\w*"
    r")\b",
    re.IGNORECASE,
)
CITIZEN_CUE = re.compile(
    r"\b(?:находящ|проживающ|пребывающ|граждан|соотечественник|кыргызстанц|жаран|"
    r"кыргызстандык|мекендеш|citizen|national|travel)\w*",
    re.IGNORECASE,
)
