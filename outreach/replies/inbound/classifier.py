"""The embedded reply classifier: weighted phrase rules in English, German, French, Spanish,
Italian, Portuguese and Dutch over the stripped reply, with negation handled by matching the
"not interested" phrases first and blanking them out.

Six intents: interested, not_interested, out_of_office, unsubscribe, referral, question; and
`unclear` for a reply that matches no rule, which a person reads (never a guess at interest).
A rule's answer acts by itself only when the model, reading the whole reply, does not clearly
read another intent, and never for a single word other than an opt-out.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from outreach.replies.inbound import lexicon
from outreach.replies.inbound.dates import extract_return_date
from outreach.replies.inbound.message import Address
from outreach.replies.inbound.model import shipped_model

INTENTS = (
    "interested",
    "not_interested",
    "out_of_office",
    "unsubscribe",
    "referral",
    "question",
    "unclear",
)
_WEEKDAY_NAMES = "monday|tuesday|wednesday|thursday|friday|mon|tue|wed|thu|fri"

Rules = list[tuple[re.Pattern, float]]


def _rules(*pairs: tuple[str, float]) -> Rules:
    return [(re.compile(pattern, re.IGNORECASE), weight) for pattern, weight in pairs]


UNSUBSCRIBE = _rules(
    (r"\bun-?subscribe\b|\bopt(?:-| )?out\b", 3),
    (r"^\W*(remove|stop|unsubscribe|abmelden|désinscription|baja|uitschrijven)\W*$", 3),
    (r"\bremove (me|my (e-?mail|address|name|details|contact))\b", 3),
    (r"\b(take|get) me off\b|\boff (of )?your (mailing |email |contact )?list", 3),
    (r"\btake my (e-?mail |contact )?(address|details|name|info\w*) off\b", 3),
    (r"\bremove my (contact |personal )?(details|data|info\w*)\b", 3),
    (r"\bkeine (e-?mails|mails|nachrichten) mehr\b", 3),
    (r"\b(stop|quit) (e-?mailing|contacting|messaging|spamming|sending)\b", 3),
    (r"\b(do not|don't|dont|never) (contact|e-?mail|message|write to) me\b", 3),
    (r"\b(do not|don't|dont|never) (e-?mail|contact|write)( me| us)? again\b", 3),
    (r"\bno me (escriban|escribas|envíen|envien|contacten|manden) más\b", 3),
    (r"\bno (more|further) (e-?mails|messages|contact)\b", 2),
    (r"\b(delete|erase) (my|all my) (personal )?(data|information|details)\b", 2),
    (r"\bremove\b.{0,30}\b(list|database|mailing|distribution)\b", 2),
    (r"\babmelden\b|\baustragen\b|\baus (ihrem|dem|eurem|deinem) verteiler\b", 3),
    (
        r"\b(keine|nicht) (weiteren? )?(e-?mails|nachrichten|mails) (mehr )?"
        r"(erhalten|zusenden|senden|schicken|bekommen)",
        3,
    ),
    (r"\bentfernen sie mich\b|\blöschen sie meine (daten|adresse|e-?mail)", 3),
    (r"\bd[ée]sinscri\w*|\bd[ée]sabonn\w*", 3),
    (r"\bme (retirer|supprimer|désinscrire|desinscrire) de\b|\b(retirez|supprimez)-moi\b", 3),
    (r"\bne (plus )?me (contactez|contacter|écrivez|écrire|recontacter) plus\b", 3),
    (r"\bne plus (m'écrire|m'ecrire|me contacter|me solliciter|m'envoyer)\b", 3),
    (r"\b(dar(me)?|den(me)?|denme) de baja\b", 3),
    (
        r"\b(no|dejen de) (me )?(envíe|envíen|envien|enviar|manden|escriban|escribir)\w* "
        r"(más )?(correos|e-?mails|mensajes)",
        3,
    ),
    (r"\b(eliminar(me)?|borrar(me)?|b[oó]rr?enme) de (su|la|vuestra) lista", 3),
    (r"\bcancellatemi\b|\bcancellami\b|\bdisiscri\w*|\brimuovetemi\b", 3),
    (r"\bnon (voglio|desidero) (più )?ricevere\b", 3),
    (r"\bdescadastr\w*|\bcancelar (a |minha )?inscri", 3),
    (r"\bremov(a|er) (o )?(meu|minha)\b.{0,30}\blista\b", 3),
    (r"\b(não|nao) (quero|desejo) (mais )?receber\b", 3),
    (r"\buitschrijven\b|\bafmelden\b|\bverwijder (mij|me)\b", 3),
    (r"\bgeen (e-?mails|berichten|mails) meer\b|\bniet meer (mailen|benaderen|contacteren)", 3),
)

NOT_INTERESTED = _rules(
    (r"\bnot (really |currently |at all )?interested\b|\bno interest\b|\buninterested\b", 3),
    (r"\b(we'?re|we are|i'?m|i am) (all set|good for now|covered|set for now)\b", 3),
    (r"\bnot (a|an) (priority|fit|good fit|great fit|right fit)\b|\bis ?n'?t a priority\b", 3),
    (r"\bno,? thank(s| you)\b|\bwe('ll| will) pass\b|^\W*pass\b", 3),
    (r"\b(do ?n'?t|do not|does ?n'?t|does not) (really )?need\b|\bno need for\b", 2),
    (
        r"\b(already|happy) (have|with|using) (a |an |our )?(current |existing )?"
        r"(solution|provider|vendor|tool|system|what we have|setup)",
        3,
    ),
    (
        r"\b(signed|went|going|decided to go|chose|picked|selected) (with|a \S+ contract with)"
        r" (another|a different|someone else|a competitor|other)",
        3,
    ),
    (r"\bsigned a .{0,30}contract\b", 2),
    (r"\bbuilt (this|it|our own|something|one) in-?house\b|\bin-?house (solution|tool)\b", 2),
    (r"\bnot (looking|in the market|something we)\b", 3),
    (r"\b(no|don'?t have (the |any )?|do not have (the |any )?)budget\b", 2),
    (r"\bnot (at this time|right now|now|for us|this year)\b", 2),
    (r"\bcheck back (next|in|later)\b|\bmaybe (next year|later)\b", 1),
    (r"\bhappy with (what|our|the)\b|\bworks (fine|well) for us\b", 2),
    (r"\brespect that\b|\bdeclin(e|ing)\b", 1),
    (
        r"\bstick(ing)? with\b|\b(thanks|thank you),? (bob |but )?no\b|\bbut no\b"
        r"|\bwe'?re good\b|\b(do ?n'?t|do not) see (the |much |any )?value\b|\bnot (a|the) fit\b"
        r"|\bdecided against\b|\b(does ?n'?t|does not) apply to us\b|\bnot the right time\b"
        r"|\bit'?s a no\b|\blocked in(to)?\b|\bnot relevant (for|to) (us|our)\b"
        r"|\bpas le bon moment\b|\bno es (el|buen) momento\b"
        r"|\bnot adding\b|\bconsolidating\b",
        2,
    ),
    (r"\bversorgt\b|\bkein bedarf\b|\bne nous concerne pas\b|\bno nos hace falta\b", 3),
    (r"\bkein(e|en)? (interesse|bedarf)\b|\bnicht interessiert\b|\bnein,? danke\b", 3),
    (r"\b(haben|nutzen|verwenden) (bereits|schon) (eine|einen|ein)\b", 2),
    (r"\bpas (intéress|interess)\w*|\baucun (intérêt|interet)\b|\bnon,? merci\b", 3),
    (r"\bpas (besoin|pour (le moment|l'instant))\b|\bnous avons déjà\b", 2),
    (
        r"\bno (nos|me) interesa\b|\bno (estamos|estoy) interesad\w*|\bno tenemos (interés|interes|"
        r"necesidad)\b|\bno,? gracias\b",
        3,
    ),
    (r"\bya (tenemos|contamos con|usamos|utilizamos)\b", 2),
    (
        r"\bnon (siamo|sono) interessat\w*|\bnon (ci|mi) interessa\b|\bnessun interesse\b"
        r"|\bno,? grazie\b",
        3,
    ),
    (r"\babbiamo già\b", 2),
    (
        r"\b(não|nao) (temos|tenho) interesse\b|\b(não|nao) (estamos|estou) interessad\w*"
        r"|\b(não|nao) (nos|me) interessa\b|\b(não|nao),? obrigad\w*",
        3,
    ),
    (r"\bjá (temos|utilizamos|usamos)\b", 2),
    (r"\bgeen (interesse|behoefte)\b|\bniet ge[ïi]nteresseerd\b|\bnee,? (bedankt|dank je)\b", 3),
    (r"\bhebben al (een|onze)\b", 2),
)

INTERESTED = _rules(
    (r"\binterested\b|\bintrigued\b|\bcount me in\b|\byes,? please\b", 2),
    (r"\b(let'?s|let us) (talk|chat|connect|set|schedule|find|hop|do|book|meet|discuss)\b", 3),
    (
        r"\b(happy|glad|open|keen|love|would love|i'?d love|be great|eager) to (chat|talk|connect"
        r"|learn more|hear more|see|meet|discuss|hop|set up|explore)\b",
        3,
    ),
    (r"\bopen to (a |an )?(quick )?(chat|call|conversation|demo|meeting)\b", 3),
    (
        r"\b(set up|schedule|book|arrange|grab|find|put) (a |some |a quick |15 min |30 min )?"
        r"(call|time|meeting|demo|chat|slot)\b",
        3,
    ),
    (
        r"\b(send|shoot|forward) (me |us |over )*(a |an |the |some )?(calendar )?(invite|deck"
        r"|info|information|details|one-pager|case stud|more|few times|some times|times|pricing"
        r"|few slots|some slots|slots|availability)",
        3,
    ),
    (r"\bcalendly\.com|\bchilipiper|\bmeetings\.hubspot|\bsavvycal", 3),
    (r"\bwhat (does|do) (your|you) (availability|calendar|schedule)\b", 3),
    (r"\bwhat (times?|day|days) (work|works|suit|is good)\b|\bwhen (are you|is) (free|good)", 3),
    (r"\b(are you|i'?m|i am|we'?re|we are) (free|available)\b", 2),
    (r"\bare you (around|free|available|open)\b|\b(worth|open to) a (conversation|chat|call)\b", 3),
    (
        r"\b(happy|glad) to (take a look|have a look|look)\b|\b(can|could|shall) we (meet|talk|chat"
        r"|speak)\b|\b(show|walk) me\b|\bup for a (short |quick )?(call|chat)\b",
        3,
    ),
    (
        r"\bsounds like something we\b|\b(could|might) (solve|help)\b|\bsuena bien\b"
        r"|\bhablamos\b|\bplan (maar )?iets in\b|\b(mornings|afternoons) (are|work) best\b",
        2,
    ),
    (rf"\b({_WEEKDAY_NAMES})(day)?\b,? (at )?\d{{1,2}}(:\d\d)? ?(am|pm|h|uhr)\b", 2),
    (rf"\b\d+ ?min(ute)?s? (on )?({_WEEKDAY_NAMES}|tomorrow|next week)", 3),
    (
        r"\b(send|share) (me |us )?(a |your )?(proposal|quote|contract|order form)\b"
        r"|\b(you'?ve|you) (got|have) my attention\b|\bevaluating (options|vendors|solutions)\b",
        3,
    ),
    (r"\b(put|add|throw) (some time|time|something|\d+ ?min\w*|a call|it) on (my|our) calendar", 3),
    (
        r"\b(learn|hear) more\b|\bwalk (me|us) through\b|\bgrab (a )?(coffee|lunch)\b"
        r"|\blet me know when\b|\bgo ahead and\b",
        2,
    ),
    (
        r"\btermin\w*vorschl\w*|\beinladung\b|\binvitation\b|\binvitación\b|\binvito\b"
        r"|\bconvite\b|\buitnodiging\b|\bpourquoi pas\b",
        2,
    ),
    (r"\bdo you have (time|availability|a few minutes|15 minutes|30 minutes)\b", 3),
    (rf"\b(how|what) about (a )?(call|chat|demo|{_WEEKDAY_NAMES}|next week|tomorrow)", 3),
    (r"\bworks for me\b|\bsounds (good|great|interesting|promising)\b", 2),
    (r"\b(this is|that'?s|that is|it'?s) (actually )?(timely|interesting|relevant)\b", 2),
    (r"\b(timing|the timing) is (good|great|perfect|right)\b", 2),
    (
        r"\b(can|could) (you|we) (do|jump on|hop on|have|set up) a ((quick|short|brief|intro)\s+)*"
        r"(call|chat|demo)\b",
        3,
    ),
    (r"\bcall me\b|\bmy (cell|mobile|phone|number) is\b|\bgive me a (call|ring)\b", 2),
    (r"\bhop on a call\b|\bjump on a call\b|\bsee a demo\b", 3),
    (r"\binteress(ant|iert)\b|\bklingt (gut|spannend|interessant)\b", 2),
    (
        r"\b(können|koennen|könnten) wir\b.{0,40}\b(telefonieren|sprechen|termin|gespräch"
        r"|telefonat|treffen)",
        3,
    ),
    (r"\btermin (vereinbaren|vorschlagen|machen|finden)\b|\bpasst mir\b|\brufen sie mich an\b", 3),
    (r"\bgerne?\b", 1),
    (r"\bintéress(é|ée|és|ées|ant)\b|\binteress(e|é)e?s?\b(?! par)", 2),
    (
        r"\bravie? d'en (discuter|parler)\b|\bvolontiers\b|\bça m'intéresse\b"
        r"|\bon peut (s'appeler|se parler|en parler|échanger)\b",
        3,
    ),
    (r"\b(êtes|etes)-vous disponible|\b(je suis|nous sommes) disponibles?\b", 3),
    (
        r"\b(planifier|organiser|caler|prévoir|fixer) (un|une) (appel|call|rendez-vous|réunion"
        r"|démo|demo|échange)",
        3,
    ),
    (r"\b(me|nos) interesa\b|\binteresad[oa]s?\b|\bme encantar[ií]a\b|\bcon gusto\b", 2),
    (r"\b(podemos|podríamos|podriamos) (agendar|hablar|tener|programar|coordinar|conversar)\b", 3),
    (r"\b(agendar|programar|coordinar) una (llamada|reunión|reunion|demo)\b|\bme viene bien\b", 3),
    (r"\b(sono|siamo) interessat\w*|\bmi interessa\b|\bvolentieri\b", 2),
    (r"\b(possiamo|potremmo) (sentirci|fissare|organizzare|fare|parlare|vederci)\b", 3),
    (r"\b(tenho|temos) interesse\b|\binteressad[oa]s?\b|\bcom prazer\b|\badoraria\b", 2),
    (r"\b(podemos|poderíamos|poderiamos) (marcar|agendar|conversar|falar)\b", 3),
    (r"\b(marcar|agendar) (uma )?(conversa|reunião|reuniao|chamada|call|demo)\b", 3),
    (r"\b(ik heb|we hebben|heb) (wel )?interesse\b|\bklinkt (goed|interessant)\b", 2),
    (r"\b(kunnen|zullen) we\b.{0,30}\b(bellen|afspreken|afspraak|spreken)\b", 3),
    (r"\bgraag (een )?(afspraak|gesprek|demo|kennismaking)\b", 3),
)

QUESTION = _rules(
    (
        r"\b(how (much|many|long|does|do|did|is|are|would)|what'?s|what (is|are|does|do|would)"
        r"|which|who (else|is using|uses)|when (can|could|would|does|do)|why)\b[^?\n]{0,160}\?",
        2,
    ),
    (r"^\W*(does|do|is|are|can|could|would|will|have|has)\b[^?\n]{0,160}\?", 2),
    (
        r"\b(pricing|price|cost|costs|fee|fees|license|licence|integrat\w*|compliant|compliance"
        r"|soc ?2|gdpr|hipaa|trial|timeline|onboarding|implementation|support|api|security"
        r"|hosted|data residency)\b[^?\n]{0,80}\?",
        1,
    ),
    (r"\bcan you (clarify|explain|tell me|confirm|share)\b|\bquick q\b|\bquestion\b", 1),
    (
        r"\bwie (hoch|viel|lange|funktioniert|sieht)\b|\bwas kostet\b|\bgibt es\b"
        r"|^\W*(ist|sind|funktioniert|unterstützt|bieten|haben) (das|es|sie|ihr)\b[^?\n]*\?",
        2,
    ),
    (r"\best-ce que\b|\bcombien\b|\bcomment\b[^?\n]*\?|\b(avez|êtes|pouvez|proposez)-vous\b", 2),
    (r"\bcu[aá]nto\b|\bc[oó]mo funciona\b|¿|\b(tienen|ofrecen|funciona)\b[^?\n]*\?", 2),
    (r"\bquanto\b|\bcome funziona\b|\b(funziona|avete|offrite|supportate)\b[^?\n]*\?", 2),
    (
        r"\bquanto custa\b|\bcomo funciona\b"
        r"|\b(vocês|voces) (têm|tem|oferecem|trabalham|possuem)\b",
        2,
    ),
    (r"\bhoeveel\b|\bhoe werkt\b|^\W*(werkt|hebben jullie|is het|kunnen jullie|ondersteunt)\b", 2),
    (r"\?", 1),
)

REFERRAL = _rules(
    (r"\b(not|n'?t) the (right|best|correct|appropriate) (person|contact|one|people)\b", 3),
    (r"\bwrong (person|contact)\b|\bnot my (area|department|call|team)\b", 3),
    (r"\b(talk|speak|reach out|get in touch|connect|write|email|e-mail) (to|with)\b", 1),
    (
        r"\bbest person\b|\bright person (for this|to talk)\b|\bnot the decision[- ]maker\b"
        r"|\bthat'?s \w+ in (procurement|finance|purchasing|it|ops|operations|legal)\b",
        3,
    ),
    (
        r"\byou'?d (want|need) (to talk to |to speak with |to reach )?our\b|\bconnect you with\b"
        r"|\bis your (contact|person) now\b|\bmoved on from\b|\bbest to (e-?mail|contact|reach"
        r"|talk to|speak)\b|\btakes care of (this|that|these)\b|\bpass (your|the) (note|e-?mail"
        r"|message|info\w*) (along|on)\b|\bpas mon domaine\b|\bvoyez avec\b"
        r"|\bnicht mein (bereich|thema)\b|\bno es mi área\b|\bnon è il mio ambito\b"
        r"|\bsits with\b|\bintroduce you to\b",
        3,
    ),
    (r"\b(handles|owns|runs|manages|leads|is responsible for|is in charge of|took over)\b", 1),
    (r"\b(i'?ve|i have|i'?m|i am|i) (cc'?e?d|copied|looped in|added|forwarded|forwarding)\b", 3),
    (r"\b(adding|looping in|copying|cc'?ing) (him|her|them|my colleague)\b", 3),
    (r"\bforwarding (this|it|your (e-?mail|message|note)) (on )?to\b", 3),
    (r"\b(please )?(direct|forward|send|route) (this|it|your (e-?mail|message|request)) to\b", 3),
    (r"\b(i|i'?ve|i have) left\b|\bno longer (with|at|work)\b|\btry (reaching|contacting)?\b", 2),
    (r"\b(my|our) (colleague|replacement|successor|procurement|purchasing)\b", 1),
    (
        r"\bzuständig\b|\bzustaendig\b|\bwenden sie sich (bitte )?an\b"
        r"|\bmeine? (kollegin|kollege)\b",
        3,
    ),
    (r"\bnicht (der|die) richtige\b|\bfalsche(r|n)? ansprechpartner", 3),
    (r"\bpas (la|le) bon(ne)? (personne|interlocut\w*)\b|\bmauvaise personne\b", 3),
    (
        r"\b(merci de |veuillez )?contacter\b|\b(mon|ma) coll[èe]gue\b|\b(s'occupe|est en charge"
        r"|est responsable) de\b",
        2,
    ),
    (r"\bno soy (la persona|el) (indicad[oa]|adecuad[oa]|correct[oa])\b", 3),
    (
        r"\b(contactar|contacte|escriba|hable|escribir) (a|con)\b|\b(lleva|se encarga de|es "
        r"responsable de)\b|\b(mi|nuestr[oa]) (compañer[oa]|colega|responsable)\b",
        2,
    ),
    (r"\bnon sono la persona giusta\b", 3),
    (
        r"\b(può|puo|potete|puoi) (scrivere|contattare|rivolgersi|rivolgerti)\b|\b(il mio|la mia) "
        r"(collega|responsabile)\b|\b(si occupa|è responsabile) di\b",
        2,
    ),
    (r"\b(não|nao) sou a pessoa (certa|indicada|correta)\b|\bquem cuida diss[oa]\b", 3),
    (r"\b(falar|fale|entre em contato|contatar|contate) com\b|\b(meu|minha) colega\b", 2),
    (r"\bcontact (op)?nemen met\b|\b(mijn|onze) collega\b|\bniet de juiste persoon\b", 3),
)

OUT_OF_OFFICE = _rules(
    (r"\bout of (the )?office\b|\booo\b|\bout sick\b|\bsick (today|leave)\b", 3),
    (r"\b(currently|i'?m|i am) (travel+ing|on the road|away|off)\b", 2),
    (
        r"\b(i'?ll|i will) be back (on|in|next|after|monday|tuesday|wednesday|thursday|friday)\b"
        r"|\battending a (trade ?show|conference|summit|offsite)\b|\bat an offsite\b",
        2,
    ),
    (
        r"\b(without|no|limited) (access to )?e-?mail( access)?\b|\bestoy fuera\b"
        r"|\bsin acceso al correo\b|\bohne zugriff auf\b|\bsans accès\b",
        2,
    ),
    (r"\bwill (respond|reply|get back to you)\b.{0,30}\b(next week|when|on my return|later)\b", 1),
    (
        r"\bon (vacation|holiday|holidays|leave|parental leave|maternity leave|paternity leave|pto"
        r"|annual leave|sabbatical)\b",
        3,
    ),
    (
        r"\b(i'?m|i am|i'?ll be|i will be) (currently )?(away|travelling|traveling|out)\b"
        r".{0,40}\b(until|till|through|this week|today|next week|from|at a conference)\b",
        3,
    ),
    (
        r"\bin the meantime\b|\bwhile i'?m (out|away)\b|\b(during|in) my absence\b"
        r"|\bfor urgent (matters|requests|issues)\b",
        2,
    ),
    (
        r"\blimited access to (my )?e-?mail\b|\b(when|once) i'?m back\b|\bupon my return\b"
        r"|\bwhen i (return|get back)\b|\breconnect when\b|\bi'?m back on\b",
        2,
    ),
    (
        r"\bnicht im büro\b|\babwesend\b|\bim urlaub\b|\baußer haus\b|\bwieder im büro\b"
        r"|\bkrank\b",
        3,
    ),
    (
        r"\babsente?s? (du bureau|jusqu)|\ben congés?\b|\ben vacances\b|\bde retour le\b"
        r"|\bà mon retour\b|\bhors du bureau\b",
        3,
    ),
    (
        r"\bfuera de la oficina\b|\bde vacaciones\b|\bausente\b|\ba mi regreso\b|\ba la vuelta\b"
        r"|\bde baja médica\b",
        3,
    ),
    (
        r"\bfuori (ufficio|sede)\b|\bin ferie\b|\bin vacanza\b|\bassente\b|\bal mio rientro\b"
        r"|\brientro previsto\b",
        3,
    ),
    (
        r"\bde férias\b|\bde ferias\b|\bfora do escritório\b|\bno meu retorno\b"
        r"|\bquando eu voltar\b",
        3,
    ),
    (r"\bafwezig\b|\bmet vakantie\b|\bniet op kantoor\b|\bbij terugkomst\b", 3),
)

UNSUBSCRIBE += lexicon.UNSUBSCRIBE
NOT_INTERESTED += lexicon.NOT_INTERESTED
INTERESTED += lexicon.INTERESTED + lexicon.MORE_INTERESTED
REFERRAL += lexicon.REFERRAL + lexicon.MORE_REFERRAL
OUT_OF_OFFICE += lexicon.OUT_OF_OFFICE
QUESTION += lexicon.QUESTION
NEEDS_PERSON = list(lexicon.NEEDS_PERSON)
HEDGES = list(lexicon.HEDGES)

# Asked in passing, and only as a question: "Tudo bem, pode mandar" and "Jeudi, ça va." agree.
_PLEASANTRY = re.compile(
    r"\b(how are you|how'?s it going|tudo bem|tudo bom|como vai|qu[ée] tal|c[oó]mo est[aá]s"
    r"|ça va|comment allez-vous|come stai|come va|wie geht'?s( dir| ihnen)?"
    r"|wie geht es (dir|ihnen)|hoe gaat het|jak si[eę] masz|jak leci|jak se m[aá]te|hur m[åa]r du"
    r"|hur [äa]r l[äa]get|hvordan har du det|hvordan g[åa]r det|mit[äa] kuuluu)[ \t]*\?+",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_NAME = re.compile(
    r"(?<![\w@.])([A-ZÀ-Ý][a-zà-ÿ'-]+(?:\s+(?:de\s+|da\s+|van\s+|von\s+|van der\s+|del\s+|di\s+)?"
    r"[A-ZÀ-Ý][a-zà-ÿ'-]+){0,2})"
)
_NOT_NAMES = {
    "hi", "hello", "hey", "thanks", "thank", "please", "our", "my", "the", "head", "finance",
    "sales", "team", "you", "she", "he", "they", "we", "i", "it", "not", "try", "tell", "cto",
    "ceo", "cfo", "vp", "director", "manager", "bonjour", "hallo", "hola", "ciao", "olá", "oi",
    "beste", "dear", "merci", "best", "regards", "wrong", "sorry", "adding", "forwarding",
    "mon", "tue", "wed", "thu", "fri", "monday", "tuesday", "wednesday", "thursday", "friday",
    "le", "la", "il", "el", "o", "a", "mijn", "meine", "mein", "dafür", "hiervoor",
    "quem", "non", "no", "je", "ich", "ik", "pode", "può", "bob", "kollegin", "kollege",
    "kollegen", "herr", "frau", "colleague", "collega", "colega", "collègue", "unser",
}  # fmt: skip
_CC_CUE = re.compile(
    r"\b(cc'?e?d|cc'?ing|copied|copying|looped in|looping in|adding (him|her|them)|on cc|in cc"
    r"|en copie|in kopie|in copia|en copia|em cópia)\b",
    re.IGNORECASE,
)
_NAME_CUE = re.compile(
    r"\b(?:speak|talk|reach out|get in touch) (?:to|with)|\bforward(?:ing)? (?:this |it )?to"
    r"|\bcolleague|\bkollegin|\bkollege|\bcoll[èe]gue|\bcollega|\bcolega|\bcontact(?:ar|er|e)?"
    r"|\btry|\bask",
    re.IGNORECASE,
)


@dataclass
class Referral:
    email: str = ""
    first_name: str = ""
    last_name: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def as_dict(self) -> dict[str, str]:
        return {"email": self.email, "first_name": self.first_name, "last_name": self.last_name}


@dataclass
class Classification:
    intent: str
    confidence: float
    source: str
    reason: str = ""
    return_date: date | None = None
    referral: Referral | None = None
    scores: dict[str, float] = field(default_factory=dict)


def classify(
    body: str,
    *,
    subject: str = "",
    sender: Address | None = None,
    cc: list[Address] | None = None,
    received: date,
    ignored_addresses: set[str] | None = None,
) -> Classification:
    """The intent of a stripped human reply, by the rules."""
    # "Hi Bob, how are you?" asks nothing of us: a pleasantry is not read as a question.
    text = _PLEASANTRY.sub(" ", _normalized(body))
    subject_text = _normalized(
        re.sub(r"^\s*((re|aw|sv|r|rv|antw|fw|fwd|wg)\s*:\s*)+", "", subject, flags=re.I)
    )
    scores: dict[str, float] = {}
    matched: dict[str, list[str]] = {}

    def score(intent: str, rules: Rules, against: str) -> list[re.Pattern]:
        total, hits, patterns = 0.0, [], []
        for pattern, weight in rules:
            found = pattern.search(against)
            if found is not None:
                total += weight
                hits.append(found.group(0).strip())
                patterns.append(pattern)
        scores[intent] = total
        matched[intent] = hits
        return patterns

    score("unsubscribe", UNSUBSCRIBE, text)
    negatives = score("not_interested", NOT_INTERESTED, text)
    # "Not interested" must not also count as "interested": blank out what was read as a no.
    remaining = text
    for pattern in negatives:
        remaining = pattern.sub(" ", remaining)
    score("interested", INTERESTED, remaining)
    score("question", QUESTION, text)
    score("referral", REFERRAL, text)
    score("out_of_office", OUT_OF_OFFICE, f"{text}\n{subject_text}")

    referral = find_referral(body, sender=sender, cc=cc or [], ignored=ignored_addresses or set())
    if scores["referral"] and referral is not None:
        scores["referral"] += 2
    # "Can we meet next week?" is asked as a question but means interest.
    if scores["question"] and scores["interested"] >= 2:
        scores["question"] = max(0.0, scores["question"] - 2)
    return_date = extract_return_date(body, received=received) if scores["out_of_office"] else None
    if scores["out_of_office"] and scores["interested"] < 3:
        scores["out_of_office"] += 1
        # Away until a date: "I'm travelling until 16 March and read no email" is an absence,
        # not a request to stop emailing.
        if return_date is not None:
            scores["out_of_office"] += 2
    if scores["unsubscribe"] >= 3:
        scores["unsubscribe"] += 2

    # Asides and hedges are read in the message itself, without its greeting and sign-off:
    # "Hi Bob,\n\nHuh?\n\nBest, Ann" is as puzzled as "Huh?".
    content = _without_salutations(text)
    asides = [found.group(0).strip() for p, _ in NEEDS_PERSON if (found := p.search(content))]
    hedges = [found.group(0).strip() for p, _ in HEDGES if (found := p.search(content))]
    strongest = max(scores.values())
    if (
        asides
        and scores["unsubscribe"] < 3
        and scores["out_of_office"] < 3
        and strongest <= NEEDS_PERSON_OUTWEIGHED_BELOW
    ):
        # "Who are you?", "Is this spam?", "Maybe. It depends.", a sarcastic aside: whatever it
        # also says, a person answers it. Only a clear opt-out or an absence is read past it.
        return _for_a_person(f"Matched {', '.join(repr(hit) for hit in asides[:3])}", scores)
    if hedges and strongest < HEDGE_OUTWEIGHED_AT:
        # "Not sure.", "We'll see.", "Let me sit on it": no answer yet, unless a phrase of
        # another intent says one.
        return _for_a_person(f"Matched {', '.join(repr(hit) for hit in hedges[:3])}", scores)
    asides += hedges

    scores["unclear"] = 0.0
    ranked = sorted(INTENTS, key=lambda intent: (-scores[intent], INTENTS.index(intent)))
    top, runner_up = ranked[0], ranked[1]
    best, second = scores[top], scores[runner_up]
    if best == 0:
        return _model_suggestion(content, scores)
    if best <= RULES_DEFER_AT_MOST:
        # One loose cue (a question mark, "gerne") says little on its own: a clear reading of the
        # whole reply by the model outweighs it, as a suggestion a person confirms.
        suggestion = _model_suggestion(content, scores, at_least=MODEL_OVERRIDE_PROBABILITY)
        asked = top == "question" and suggestion.intent not in QUESTION_MAY_MEAN
        if suggestion.intent not in {"unclear", top} and not asked:
            return suggestion
    confidence = _confidence(best, second)
    reason = f"Matched {', '.join(repr(hit) for hit in matched[top][:3])}"
    if second:
        reason += f"; also {runner_up} ({second:g} vs {best:g})"
    doubt = _model_doubt(content, top) if confidence > RULES_DOUBTED_CONFIDENCE else None
    if confidence > RULES_DOUBTED_CONFIDENCE and asides and top not in ACTS_PAST_AN_ASIDE:
        # A clear answer with a wry or suspicious aside: read, but a person confirms it.
        confidence = RULES_DOUBTED_CONFIDENCE
        reason += f"; also {asides[0]!r}"
    elif confidence > RULES_DOUBTED_CONFIDENCE and top != "unsubscribe" and _one_word(content):
        # "Interesting." or "Nope." alone is read, but a person confirms it; "Unsubscribe" alone
        # is an opt-out whatever else it could mean.
        confidence = RULES_DOUBTED_CONFIDENCE
        reason += "; a single word"
    elif doubt is not None:
        # A phrase matched, but the whole reply reads as something else: the rules' answer
        # stays, as a suggestion a person confirms rather than an action taken by itself.
        confidence = RULES_DOUBTED_CONFIDENCE
        reason += f"; the model reads it as {doubt}"
    return Classification(
        intent=top,
        confidence=confidence,
        source="rules",
        reason=reason[:500],
        return_date=return_date if top == "out_of_office" else None,
        referral=referral if top == "referral" else None,
        scores=scores,
    )


# The model's answer stays below the auto-apply threshold: a person confirms it. It is read when
# no rule matched and the reply has a couple of words (a lone "Ok." stays unclear), and it
# outweighs one loose cue only when it is nearly sure. The figures were chosen by reading each
# round of the development corpus with the rules of its time and a model of the rounds before.
MODEL_CONFIDENCE = 0.5
MODEL_MIN_PROBABILITY = 0.8
MODEL_MIN_WORDS = 2
RULES_DEFER_AT_MOST = 1
MODEL_OVERRIDE_PROBABILITY = 0.97
MODEL_SHORT_WORDS = 3
MODEL_SHORT_MIN_PROBABILITY = 0.99
# A question mark alone may turn out to be interest ("Thursday morning?") or a referral, but a
# question is not read as a refusal or an opt-out by the model alone.
QUESTION_MAY_MEAN = ("interested", "referral", "question")


# A reply that asks who we are, whether it is spam, or says "maybe, it depends" goes to a person
# unless another intent is read from at least two phrases (more than
# `NEEDS_PERSON_OUTWEIGHED_BELOW`); then it is read, but waits for a person to confirm it, except
# for an opt-out or an absence.
NEEDS_PERSON_OUTWEIGHED_BELOW = 5
# A hedge ("not sure", "we'll see") leaves the reply to a person unless another intent is read
# from a phrase of its own (a score of at least `HEDGE_OUTWEIGHED_AT`); then it is read, but a
# person confirms it.
HEDGE_OUTWEIGHED_AT = 3
ACTS_PAST_AN_ASIDE = ("unsubscribe", "out_of_office")


# A phrase rule acts by itself only when the model does not read the whole reply, clearly, as
# another intent: when it gives the rules' intent less than `MODEL_DOUBT_BELOW` and another at
# least `MODEL_DOUBT_OTHER_AT_LEAST`, the answer waits at `RULES_DOUBTED_CONFIDENCE`.
RULES_DOUBTED_CONFIDENCE = 0.6
MODEL_DOUBT_BELOW = 0.05
MODEL_DOUBT_OTHER_AT_LEAST = 0.9


# `content` below is the reply without its greeting and sign-off (`_without_salutations`).


def _one_word(content: str) -> bool:
    return len(re.findall(r"\w+", content)) < 2


def _model_doubt(content: str, intent: str) -> str | None:
    """The intent the model reads instead of the rules' `intent`, when it clearly does."""
    if len(re.findall(r"\w+", content)) < MODEL_MIN_WORDS:
        return None
    probabilities = shipped_model().probabilities(content[:2000])
    if not probabilities or probabilities.get(intent, 0.0) >= MODEL_DOUBT_BELOW:
        return None
    other, probability = max(probabilities.items(), key=lambda pair: pair[1])
    return other if probability >= MODEL_DOUBT_OTHER_AT_LEAST else None


def _model_suggestion(
    content: str, scores: dict[str, float], *, at_least: float | None = None
) -> Classification:
    """The shipped model's reading if it is clear (at least `at_least`, by default
    `MODEL_MIN_PROBABILITY`), else `unclear`."""
    at_least = MODEL_MIN_PROBABILITY if at_least is None else at_least
    # A word of courtesy ("Ok.", "Received") says no intent: a person reads it.
    words = re.findall(r"\w+", content)
    enough = len(words) >= MODEL_MIN_WORDS
    if len(words) <= MODEL_SHORT_WORDS:
        # "Got it.", "Lo miro.", "Preso nota.": a few words of acknowledgement share letters
        # with every intent, so the model must be surer of them.
        at_least = max(at_least, MODEL_SHORT_MIN_PROBABILITY)
    probabilities = shipped_model().probabilities(content[:2000]) if enough else {}
    if probabilities:
        intent, probability = max(probabilities.items(), key=lambda pair: pair[1])
        if probability >= at_least and intent != "unclear":
            return Classification(
                intent=intent,
                confidence=MODEL_CONFIDENCE,
                source="rules",
                reason=f"Read by the model as {intent} ({probability:.0%}); "
                + ("one loose cue matched." if any(scores.values()) else "no rule matched."),
                scores=scores,
            )
    return _for_a_person("No phrase the rules know", scores)


def _for_a_person(why: str, scores: dict[str, float]) -> Classification:
    """`unclear`: the reply waits for a person, who reads `why` in the inbox."""
    return Classification(
        intent="unclear",
        confidence=0.0,
        source="rules",
        reason=f"{why}; a person should read it.",
        scores=scores,
    )


# "Bob様", "田中さん": a Japanese greeting line ends with the honorific after the name.
_HONORIFICS = ("様", "さん", "殿")


def _without_salutations(text: str) -> str:
    """The reply without its greeting line, its sign-off and the name under it: the short
    lines of at most three words around the message."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    while lines and len(lines[0].split()) <= 3 and lines[0].endswith((",", ":", "!", *_HONORIFICS)):
        lines.pop(0)
    while len(lines) > 1 and len(lines[-1].split()) <= 3 and not lines[-1].endswith((".", "?")):
        lines.pop()
    return "\n".join(lines)


def find_referral(
    body: str, *, sender: Address | None, cc: list[Address], ignored: set[str]
) -> Referral | None:
    """The person a reply points us to: an address in the text, someone cc'd, or a name."""
    body = _normalized(body)
    skip = {address.lower() for address in ignored}
    if sender is not None:
        skip.add(sender.email)
    for found in _EMAIL.finditer(body):
        email = found.group(0).strip(".").lower()
        if email in skip or email.split("@")[1] in {a.split("@")[-1] for a in ignored if "@" in a}:
            continue
        first, last = _name_near(body[max(0, found.start() - 90) : found.start()], email)
        return Referral(email=email, first_name=first, last_name=last)
    if _CC_CUE.search(body):
        for address in cc:
            if address.email not in skip:
                first, _, last = address.name.partition(" ")
                return Referral(email=address.email, first_name=first, last_name=last)
    for cue in _NAME_CUE.finditer(body):
        window = body[cue.end() : cue.end() + 60]
        for candidate in _NAME.finditer(window):
            words = candidate.group(1).split()
            if words[0].lower() in _NOT_NAMES:
                continue
            if candidate.start() > 25:
                break
            return Referral(first_name=words[0], last_name=" ".join(words[1:]))
    return None


def _name_near(before: str, email: str) -> tuple[str, str]:
    """The name written just before an address, or one read from the address itself."""
    local = _ascii(email.split("@")[0])
    for found in reversed(list(_NAME.finditer(before))):
        words = found.group(1).split()
        while words and words[0].lower() in _NOT_NAMES:
            words.pop(0)
        in_address = [_ascii(word) in local for word in words]
        if not any(in_address):
            continue
        # "Kollegin Anna Schmidt", "Try Tom Becker", "Rachel Green: rgreen@": the name starts at
        # the first word in the address, or whose initial starts it before a word that is.
        for start, word in enumerate(words):
            initial_then_surname = (
                start + 1 < len(words) and in_address[start + 1] and local[0] == _ascii(word)[0]
            )
            if in_address[start] or initial_then_surname:
                return words[start], " ".join(words[start + 1 :])
    parts = [p for p in re.split(r"[._-]+", local) if p.isalpha()]
    if len(parts) >= 2 and not {"info", "sales", "team", "hello"} & set(parts):
        return parts[0].title(), " ".join(p.title() for p in parts[1:])
    return "", ""


def _confidence(best: float, second: float) -> float:
    base = {1: 0.55, 2: 0.7, 3: 0.8, 4: 0.86, 5: 0.9}.get(int(min(best, 5)), 0.93)
    if best >= 6:
        base = 0.93
    return round(max(0.2, base - 0.25 * (second / best)), 2)


_PLAIN = {"\u2019": "'", "\u2018": "'", "\u2013": "-", "\u2014": "-"}


def _normalized(text: str) -> str:
    for typographic, plain in _PLAIN.items():
        text = text.replace(typographic, plain)
    return unicodedata.normalize("NFC", text)


def _ascii(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
