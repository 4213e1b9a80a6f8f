"""What a person wrote, without the quoted history below it, their signature or a mobile footer.

Handles the attribution lines of the common clients in several languages ("On … wrote:",
"Am … schrieb …:", "Le … a écrit :"), Outlook's header blocks and separators, ">" quoting, the
"-- " delimiter, sign-offs followed by a short signature, and legal disclaimers.
"""

import re

_ATTRIBUTION = re.compile(
    r"^\s*(on|am|le|el|il giorno|il|em|op|den|dne|w dniu)\b.{4,300}"
    r"(wrote|a écrit|a ecrit|escribió|escribio|ha scritto|escreveu|napisał\(a\)|napisał|napsal"
    r"|(schrieb|schreef|skrev)\b.{0,200})\s*:\s*$"
    r"|^.{2,200}\b(wrote|schrieb am .{4,80}|a écrit le .{4,80}|escribió|ha scritto|escreveu"
    r"|schreef op .{4,80}|skrev|kirjoitti|napsal\(a\)|napsal|napisał\(a\)|napisał)\s*:\s*$"
    r"|^\s*\d{4}年\d{1,2}月\d{1,2}日.{2,200}[:\uff1a]\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(
    r"^\s*(on|am|le|el|il giorno|il|em|op|den|dne|w dniu)\s+\S", re.IGNORECASE
)
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original"
    r"|messaggio originale|mensagem original|oorspronkelijk bericht|forwarded message"
    r"|weitergeleitete nachricht|message transféré|mensaje reenviado|originalmeddelande)\s*-{2,}"
    r"|begin forwarded message:|_{10,}|-{10,}|={10,})\s*$"
    # "-----Původní zpráva-----", "---------- Videresendt meddelelse ---------": a few words
    # between dashes, in whatever language the client writes them.
    r"|^\s*-{3,}\s*[^\W\d_][^-\n]{2,50}?\s*-{3,}\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(
    r"^\s*\*?(from|von|de|da|van|från|fra|od|lähettäjä|差出人)\s*\*?\s*:", re.IGNORECASE
)
# Outlook writes its header block in the reader's language: a label and an address ("Od: Bob
# Smith <bob@…>", "Fra: …") followed by more short labels ("Sendt:", "Komu:", "Předmět:").
_HEADER_ANY_FROM = re.compile(r"^\s*\*?[^\W\d_][\w ]{0,20}\*?\s*[:\uff1a].{0,120}@[\w-]+\.")
_HEADER_ANY_FIELD = re.compile(r"^\s*\*?[^\W\d_][\w ]{0,20}\*?\s*[:\uff1a]")
# "2025/03/03 9:14、Bob Smith <bob@…>のメール:", "Wiadomość napisana przez Bob Smith <bob@…> w
# dniu 3 mar 2025, o godz. 09:14:": any short line with an address and a time that ends in a
# colon introduces quoted history, whatever the client's language.
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
_HEADER_FIELDS = re.compile(
    r"^\s*\*?(sent|date|to|subject|gesendet|datum|an|betreff|envoyé|envoye|objet|à|enviado"
    r"|fecha|para|asunto|inviato|data|oggetto|a|verzonden|aan|onderwerp|skickat|ämne|emne)"
    r"\s*\*?\s*:",
    re.IGNORECASE,
)
_MOBILE_FOOTER = re.compile(
    r"^\s*(sent from my|sent from (mail|outlook|yahoo)|sent via|sent with|get outlook for"
    r"|envoyé de mon|envoyé depuis|von meinem .{1,30} gesendet|gesendet von|enviado desde"
    r"|inviato da|enviado do meu|enviado de meu|verzonden (vanaf|met) mijn|skickat från"
    r"|sendt fra)\b"
    # "Wysłane z iPhone'a", "iPhoneから送信", "Sendt fra min iPhone": a few words naming the device.
    r"|^(?=[^?.]{0,40}$)\W*(\S+\s+){0,4}?\S*(iphone|ipad|android|blackberry)",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"^\s*(confidentiality notice|disclaimer|this (e-?mail|message)( and any attachments?)?"
    r" (is|are|may contain|contains) (confidential|intended)|diese e-?mail (enthält|ist)"
    r"|ce (message|courriel) (et|est|peut)|este (mensaje|correo) (y|es|puede|contiene)"
    r"|questo messaggio|the information (contained )?in this (e-?mail|message))",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^\s*(best|best regards|regards|kind regards|warm regards|warmly|many thanks|thanks|thank you"
    r"|thanks again|thx|cheers|sincerely|all the best|best wishes|talk soon|speak soon|take care"
    r"|rgds|br|yours|yours (sincerely|truly|faithfully)|have a (good|great|nice) (day|week)"
    r"|mit freundlichen grüßen|mit freundlichen grüssen|freundliche grüße|viele grüße|beste grüße"
    r"|liebe grüße|herzliche grüße|schöne grüße|mit besten grüßen|gruß|grüße|lg|vg|mfg|bg"
    r"|danke|vielen dank|besten dank"
    r"|cordialement|bien cordialement|bien à vous|merci|merci beaucoup|salutations"
    r"|sincères salutations|meilleures salutations|bonne journée|bonne soirée|belle journée"
    r"|à bientôt|amicalement|bàv"
    r"|saludos|un saludo|saludos cordiales|atentamente|gracias|muchas gracias|un abrazo|abrazos"
    r"|cordialmente|buen día"
    r"|atenciosamente|abraços|abraço|um abraço|abs|att|obrigado|obrigada|cumprimentos"
    r"|melhores cumprimentos|saudações|beijos|bjs"
    r"|cordiali saluti|saluti|grazie|grazie mille|distinti saluti|un cordiale saluto|un saluto"
    r"|buona giornata|buona serata|a presto"
    r"|met vriendelijke groet(en)?|vriendelijke groet(en)?|hartelijke groet(en)?|groeten|groet"
    r"|groetjes|bedankt|dank je|dank u|mvg"
    r"|pozdrawiam|serdecznie pozdrawiam|pozdrowienia|pozdr|z poważaniem|z wyrazami szacunku"
    r"|dziękuję|dzięki|miłego dnia"
    r"|s pozdravem|se srdečným pozdravem|zdravím|díky|děkuji|hezký den|pěkný den"
    r"|med vänlig hälsning|vänliga hälsningar|vänlig hälsning|bästa hälsningar|hälsningar|mvh"
    r"|vh|tack|ha det bra"
    r"|med venlig hilsen|venlig hilsen|venlige hilsner|de bedste hilsner|bedste hilsner|hilsen"
    r"|bh|tak"
    r"|med vennlig hilsen|vennlig hilsen|vennlige hilsener|beste hilsen|takk"
    r"|ystävällisin terveisin|ystävällisesti|parhain terveisin|terveisin|terv|t|kiitos"
    r"|hyvää päivänjatkoa"
    r"|(以上、?)?(今後とも)?よろしくお願い(いた|致)?します。?|取り急ぎ(ご返信|ご連絡)まで。?)"
    r"[\s,.!]*(-+\s*)?([A-ZÀ-Ý][\w.'-]*)?\s*$",
    re.IGNORECASE,
)
_NAME_ONLY = re.compile(r"^\s*-?\s*[A-ZÀ-Ý][\w.'-]*(\s+[A-ZÀ-Ý][\w.'-]*){0,2}\s*$")
_SIGNATURE_DELIMITER = re.compile(r"^\s*--\s*$|^\s*—\s*$")
# A sign-off is the end of the message only when what follows is signature-sized.
MAX_SIGNATURE_LINES = 8


def strip_reply(text: str) -> str:
    """The new text of a reply: quoted history, signature and footers removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = _history_start(lines)
    before = lines[:start]
    if not any(line.strip() for line in before):
        # Written below the quote: the new text is what is not quoted after the attribution.
        before = _below_quote(lines[start:])
    lines = [line for line in before if not line.lstrip().startswith(">")]
    lines = _without_footers(lines)
    body = _collapse(lines)
    without_signature = _collapse(_without_signature(lines))
    return without_signature or body


def _history_start(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if _SEPARATOR.match(line):
            return index
        if _ATTRIBUTION.match(line) or _attribution_with_address(line):
            return index
        # Attributions wrap: "On Mon, 3 Mar 2025 at 09:00, Bob Smith <" / "bob@x.com> wrote:".
        if _ATTRIBUTION_START.match(line):
            for span in (2, 3):
                following = lines[index + 1 : index + span]
                if any(part.lstrip().startswith(">") for part in following):
                    break
                joined = " ".join(part.strip() for part in lines[index : index + span])
                if _ATTRIBUTION.match(joined):
                    return index
        if _HEADER_FROM.match(line):
            following = lines[index + 1 : index + 6]
            if sum(1 for other in following if _HEADER_FIELDS.match(other)) >= 2:
                return index
        if _HEADER_ANY_FROM.match(line):
            following = lines[index + 1 : index + 6]
            if sum(1 for other in following if _HEADER_ANY_FIELD.match(other)) >= 3:
                return index
        if line.lstrip().startswith(">") and all(
            not rest.strip() or rest.lstrip().startswith(">") for rest in lines[index:]
        ):
            return index
    return len(lines)


def _attribution_with_address(line: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped) <= 300
        and stripped.endswith((":", "\uff1a"))
        and _ADDRESS.search(stripped) is not None
        and _TIME.search(stripped) is not None
    )


def _below_quote(lines: list[str]) -> list[str]:
    """What follows a quoted block that the message opens with: "On … wrote:", "> …", then the
    reply. Nothing, when no line is quoted (a forwarded message holds no reply below it)."""
    quoted = [index for index, line in enumerate(lines) if line.lstrip().startswith(">")]
    if not quoted:
        return []
    return lines[quoted[0] :]


def _without_footers(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _MOBILE_FOOTER.match(line) or _DISCLAIMER.match(line):
            return lines[:index]
    return lines


def _without_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _SIGNATURE_DELIMITER.match(line):
            return lines[:index]
    content = [i for i, line in enumerate(lines) if line.strip()]
    for index in content:
        if index == content[0]:
            continue  # "Thanks, but we are all set" opens a message; it does not close one
        if _SIGN_OFF.match(lines[index]):
            tail = [line for line in lines[index + 1 :] if line.strip()]
            if len(tail) <= MAX_SIGNATURE_LINES:
                return lines[:index]
    # No sign-off, but the message ends with just a name after a blank line: "…\n\nGreg".
    if len(content) >= 2 and _NAME_ONLY.match(lines[content[-1]]):
        last = content[-1]
        if not lines[last - 1].strip() and last - 1 > content[0]:
            return lines[: last - 1]
    return lines


def _collapse(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)
