"""More of the classifier's phrase rules: blunt refusals, data-deletion requests and "stop" in the
western languages, every intent in Polish, Czech, Swedish, Danish, Norwegian, Finnish and
Japanese, and in all fourteen languages the replies that answer nothing yet (hedges, thanks
alone, puzzlement, suspicion). Patterns match word stems so that inflected and reordered
wording still reads."""

import re

Rules = list[tuple[re.Pattern, float]]


def _rules(*pairs: tuple[str, float]) -> Rules:
    return [(re.compile(pattern, re.IGNORECASE), weight) for pattern, weight in pairs]


UNSUBSCRIBE = _rules(
    # "Stop sending me messages", in any of the languages.
    (
        r"\b(smettetela|smettete|przesta[nń]cie|p[řr]esta[nň]te|hold op|slutt|sluta|lopettakaa"
        r"|arr[êe]tez|dejen|parem|stop|h[öo]ren sie auf)\b[^.!?\n]{0,25}\b(mandar\w*|wysy[lł]a[cć]"
        r"|pos[ií]lat|sende|skicka|l[äa]hett[äa]\w*|envoyer|enviar\w*|mandar|sending|schicken"
        r"|messaggi|wiadomo[sś]ci|zpr[aá]vy|meddelanden|beskeder|meldinger|viestien)",
        3,
    ),
    (r"リストから削除|アドレスを削除|\blistaltanne\b", 3),
    # Cancelling "the subscription", in any of the languages.
    (
        r"\b(cancel\w*|avsluta|avslutte|zru[šs]it|zrezygnowa[cć]|perua|annuler|cancelar"
        r"|opzeggen|k[üu]ndigen)\b[^.!?\n]{0,20}(subscri\w*|prenumeration\w*|abonnement\w*"
        r"|odb[eě]r\w*|subskrypc\w*|tilau\w*|inscri\w*|abonnement)"
        r"|\b(disiscriver\w*|d[ée]sabonner|afmelden|zrušit odběr)\b|連絡は控え",
        3,
    ),
    # "I don't want to be contacted", in any of the languages.
    (
        r"\b(not|nicht|ne|no|n[ãa]o|non|niet|nechci|inte|ikke|halua|nie)\b[^.!?\n]{0,30}"
        r"\b(contacted|kontaktiert|contact[ée]e?|contacten|contatad[oa]|contattat[oa]|benaderd"
        r"|kontaktov[aá]n\w*|kontaktad|kontaktes|kontaktowali|yhteytt[äa])\b",
        3,
    ),
    (
        r"wykre[sś]li[cć]|vy[šs]krtn[eě]te|utskickslistan|mailinglist\w*|mailing ?list"
        r"|e-postlist\w*"
        r"|postituslist\w*|配信を止め|配信停止",
        3,
    ),
    # "Do not contact me again", in any of the languages.
    (
        r"\bneem geen contact\b|\bnie kontaktowa[cć]|\bwięcej nie kontakt|\bnekontaktujte\b"
        r"|\bkontakta mig inte\b|\bkontakt mig ikke\b|\bikke kontakt meg\b|\bottako\b.{0,20}"
        r"\byhteytt|\bno me contact\w*|\bne me contactez plus\b|\bnon contattatemi\b"
        r"|\bn[ãa]o me contat\w*|\bkontaktieren sie mich nicht\b",
        3,
    ),
    (
        r"\b(sair|salir|uscire|sortir|leave|get off)\b (da|de|dalla|de la|the|your|this)"
        r" (sua |vostra |votre |tu )?(lista|liste|list|mailing)|\b(smettete|smetti|parem|dejen)"
        r" de? ?(di )?(mandarmi|inviarmi|scrivermi|enviar|mandar|escrever|escribir)",
        3,
    ),
    (r"\blistalta\b|\bz listy\b|\bze seznamu\b|\bfrån listan\b|\bfra listen\b", 3),
    # "No more emails" and "delete my address from your database", in any of the languages.
    (
        r"\b(no|don'?t send( me)?|not? (receive|get)|keine|plus d'|más|mais|più|geen|niet meer"
        r"|więcej|wiecej|další|dalsi|inga fler|ikke flere|ikke (send|sende)|enää)\b[^.!?\n]{0,30}"
        r"\b(e-?mails?|mails?|mejl|e-?post\w*|correos?|courriels?|sähköpost\w*|wiadomości"
        r"|nachrichten|messages?|mensagens|gemaild)\b",
        3,
    ),
    (
        r"\b(delete|remove|erase|borr\w*|elimin\w*|supprim\w*|lösch\w*|smaž\w*|smaz\w*"
        r"|fjern\w*|ta bort|poista\w*|usu[nń]\w*|verwijder\w*|cancell\w*|remov\w*|retir\w*)\b"
        r"[^.!?\n]{0,40}\b(database|databasen|base de datos|databáze|databaze|register\w*"
        r"|rekister\w*|bazy|banco de dados|lista|liste|list)\b",
        3,
    ),
    (r"\bl[öo]schung\b|\bwiderspreche\b", 3),
    (r"送らないで|送信しないで|配信しないで", 3),
    (r"\b[äa]lk[äa][äa] l[äa]hett[äa]k[öo]\b|\bnepi[sš]te\b|\bnepište\b", 3),
    # English: one-word answers, GDPR erasure requests, "how did you get my address".
    (r"(?m)^\W*(stop|unsubscribe|remove( me)?|opt out|leave me alone)\W*$", 3),
    (r"\b(delete|erase|remove) (all )?(of )?my (personal )?(data|information|details)\b", 3),
    (r"\b(gdpr|ccpa)\b.{0,80}\b(delete|erase|erasure|remove|removal)\b", 3),
    (r"\b(delete|erase|erasure|removal)\b.{0,80}\b(gdpr|ccpa|data protection)\b", 3),
    (r"\bhow did you get my (e-?mail|address|details|contact)\b.{0,60}\bremove\b", 3),
    (r"\bremove (it|this address|me)\b", 2),
    (r"\b(stop|quit) (sending|writing|emailing)\b", 3),
    # German, French, Spanish, Portuguese, Italian, Dutch.
    (r"\bhören sie auf\b.{0,30}\b(schreiben|mailen|kontaktieren)|\bstreichen sie mich\b", 3),
    (r"\b(löschen|entfernen)\b.{0,40}\b(daten|adresse)\b|\bdsgvo\b.{0,60}\blösch", 3),
    (r"\b(supprim|effac)\w*\b.{0,40}\bdonnées\b|\brgpd\b.{0,60}\bsupprim", 3),
    (r"\barrêtez de m'(écrire|envoyer|contacter)|\bstop\b.{0,20}\bm'écrire\b", 3),
    (r"\b(elimín|elimin|bórr|borr|quít|quit)\w*(me|nos)\b.{0,30}\blista\b", 3),
    (r"\b(supresión|eliminación|borrado)\b.{0,40}\bdatos\b", 3),
    (r"(?m)^\W*(baja|abmelden|désabonnement|uitschrijven|afmelden|wypisz)\W*$", 3),
    (r"\bno me (escriban|contacten|envíen)\b", 3),
    (r"\bremov\w*\b.{0,30}\blista\b|\bme (remova|tire|retire) da\b", 3),
    (r"\b(exclusão|eliminação)\b.{0,40}\bdados\b|\bparem de me (enviar|mandar|escrever)", 3),
    (
        r"\bcancellazione\b.{0,40}\bdati\b|\bsmettete di (scrivermi|contattarmi|inviarmi)"
        r"|\bnon scrivetemi\b",
        3,
    ),
    (r"\bverwijder\b.{0,40}(gegevens|lijst|adres)\b|\bstop met (mailen|e-?mailen|sturen)", 3),
    # Polish.
    (r"\b(usu[nń]\w*|wypis\w*)\b.{0,30}\b(mnie|list\w*|dane|danych)\b|^\W*wypisz\w*", 3),
    (r"\bnie chc[eę] (otrzymywa[cć]|dostawa[cć])\b|\bprzesta\w* (do mnie )?pisa", 3),
    (
        r"\busuni[eę]ci\w*\b.{0,40}\bdanych\b|\brodo\b.{0,60}\busu[nń]"
        r"|\busu[nń]\w*\b.{0,60}\brodo\b|\bzaprzesta\w*\b.{0,30}\bwysy[lł]\w*",
        3,
    ),
    (r"\b(adres|gegevens)\b.{0,30}\buit\b.{0,20}\b(bestand|lijst|database|systeem)\b", 3),
    # Czech.
    (r"\bodhl[aá][sš]\w*|\bvy[řr]a[dď]\w* (m[eě]|n[aá]s)\b", 3),
    (r"\bnechci (dost[aá]vat|d[aá]l)|\bp[řr]esta[nň]\w* mi ps[aá]t|\bv[ýy]maz\w*\b", 3),
    # Swedish, Danish, Norwegian.
    (r"\bavregistrera|\bavanm[äa]l|\bta bort mig\b|\bsluta (mejla|maila|skicka|skriva)", 3),
    (r"\bvill inte (f[åa]|ha) (fler|mer)\b|\bradera\b.{0,40}\bpersonuppgifter", 3),
    (r"\bafmeld|\bfjern mig\b|\b[øo]nsker ikke (at modtage|flere|[åa] motta)", 3),
    (r"\bstop med at (skrive|sende|maile)|\bslet\b.{0,40}\bpersonoplysninger", 3),
    (r"\bmeld meg av\b|\bfjern meg\b|\bslutt [åa] (sende|skrive)|\bslett\b.{0,40}opplysninger", 3),
    # Finnish.
    (r"\bpoista\w*\b.{0,30}\b(minut|listalta|tietoni|henkilötietoni)\b|\bperu\w* tilau", 3),
    (r"\ben halua (enää|lisää)|\blopettakaa\b|\blopeta\b.{0,20}\b(lähettäminen|viestit)", 3),
    # Japanese.
    (r"配信停止|配信を停止|送信(は)?不要|今後.{0,10}(メール|ご連絡).{0,10}(不要|ご遠慮|控え)", 3),
    # Japanese opt-outs say "from now on ... not needed" or "erase my details": an opt-out verb
    # outweighs the "不要" that alone reads as a no.
    (
        r"今後.{0,15}(メール|ご連絡|連絡|送信|送付|ご案内|営業).{0,15}(不要|ご遠慮|控え|結構|お断り"
        r"|やめ|止め)|(メール|ご連絡|ご案内).{0,10}今後.{0,10}(不要|ご遠慮|控え|結構|お断り)"
        r"|(連絡先|アドレス|個人情報|情報|名前).{0,20}(消去|削除|抹消)"
        r"|(送らない|送付しない|連絡しない|送信しない)でください",
        4,
    ),
    # "I do not wish to receive your messages" and "leave your campaigns", in any of the languages.
    (
        r"\b(not wish|no longer wish|nep[řr]eji si|nechceme|no deseo|no quiero|n[ãa]o desejo"
        r"|ne souhaite|ne veux|nicht mehr|w[üu]nsche keine|wens (niet|geen)|[öo]nskar inte"
        r"|[øo]nsker ikke|en halua|nie [żz]ycz[eę]|nie chc[eę]|non desidero|non voglio)\b"
        r"[^.!?\n]{0,30}\b(receive|dost[aá]vat|recibir|receber|recevoir|erhalten|bekommen"
        r"|ontvangen|f[åa]|motta|modtage|vastaanottaa|saada|otrzymywa[cć]|ricevere)\b"
        r"|\b(dejar? de|deje de|deixar de|cesser de|smettere di)\b[^.!?\n]{0,15}\b(figurar"
        r"|aparecer|recibir|receber|recevoir|ricevere|constar)\b",
        3,
    ),
)

NOT_INTERESTED = _rules(
    # Not looking for anything new, or it does not fit what they do.
    (
        r"\b(not|keine?|non|geen|nie|ne|inte|ikke|ei|emme)\b[^.!?\n]{0,25}\b(looking|suchen"
        r"|cherchons|cerchiamo|buscamos|procuramos|zoeken|szukamy|hled[aá]me|letar|leder|ser etter"
        r"|etsi)\b|\bnehled[aá]me\b|\bnon cerchiamo\b|\bno buscamos\b|\bn[ãa]o procuramos\b",
        3,
    ),
    (
        r"\b(doesn'?t|does not|don'?t) (fit|match)\b|\bne correspond pas\b|\bno encaja\b"
        r"|\bn[ãa]o se encaixa\b|\bnon (è|e) in linea\b|\bpast niet\b|\bpasst nicht\b"
        r"|\bnie pasuje\b|\bnehod[ií] se\b|\bpassar inte\b|\bpasser ikke\b|\bei sovi\b"
        r"|合わない|お断り",
        3,
    ),
    # No budget, or staying with what they have, in any of the languages.
    (
        r"\b(no|not|kein\w*|pas de|sin|sem|senza|geen|nie mamy|nem[aá]me|ingen|ikke|ei)\b"
        r"[^.!?\n]{0,25}\b(budget\w*|presupuesto|or[çc]amento|bud[żz]et\w*|rozpo[čc]et\w*"
        r"|budsjett|budjetti\w*)|予算がない|予算(は|が)ありません",
        3,
    ),
    (
        r"\b(stay\w*|stick\w*|bleiben|restons|quedamos|continuar|restiamo|blijven|zostajemy"
        r"|z[uů]st[aá]v[aá]me|stannar|bliver|fortsetter|pysymme)\b[^.!?\n]{0,30}"
        r"\b(current|actuelle|actual|atual|attuale|huidige|obecn\w*|sou[čc]asn\w*|nuvarande"
        r"|nuv[æa]rende|bisherigen|jetzigen|nykyise\w*|vi har)",
        3,
    ),
    # "We don't need it" and "we won't go ahead", in any of the languages.
    (
        r"\b(don'?t|do not|won'?t) need\b|\bno need\b|\bbrauchen\b[^.!?\n]{0,20}\bnicht\b"
        r"|\b(pas|aucun) (de )?besoin\b|\bno (lo |la )?necesitamos\b|\bn[ãa]o precisamos\b"
        r"|\bnon (ne )?abbiamo bisogno\b|\bniet nodig\b|\bnie potrzebujemy\b|\bnepot[řr]ebujeme\b"
        r"|\bbeh[öo]ver (vi )?inte\b|\bikke (brug for|bruk for)\b|\btrenger (vi )?ikke\b"
        r"|\bemme tarvitse\b|必要(が)?ない",
        3,
    ),
    (
        r"\bnot (going to )?(proceed|move forward|continue|pursue)\b|\bnicht weiter(verfolgen)?\b"
        r"|\bne donnerons pas suite\b|\bno vamos a seguir\b|\bn[ãa]o vamos seguir\b"
        r"|\bnon procederemo\b|\bniet mee verder\b|\bnie b[eę]dziemy kontynuowa[cć]\b"
        r"|\bnebudeme pokra[čc]ovat\b|\bg[åa]r (inte|ikke) vidare\b|\bg[åa]r ikke videre\b"
        r"|\bemme jatka\b|ご縁がなかった",
        3,
    ),
    # "No interest" said with a negation before the word, in any of the languages.
    (
        r"\b(not|no|non|não|nao|nie|ne|ikke|inte|ei|emme|nemáme|nemame|geen|kein\w*)\b"
        r"[^.!?\n]{0,20}\b(interest\w*|interess\w*|interés|zainteresowan\w*|zájem|zajem"
        r"|intresse\w*|kiinnostu\w*)",
        3,
    ),
    (r"\bbrauchen (wir|ich) (das |es )?nicht\b|\b(we|i) (don'?t|do not) need (it|this|that)\b", 3),
    (r"必要(ございません|ありません)", 3),
    (
        r"\b(not|pas|no|non|não|nao|nicht|niet|nie|ikke|inte|ei)\b (really |vraiment |wirklich )?"
        r"(for|pour|para|per|für|voor|dla|pro|för|for|meille) (us|nous|nosotros|nós|nos|noi|uns"
        r"|ons|nas|oss|os)\b|\bei ole meille\b",
        3,
    ),
    # Content with what they have, in any of the languages.
    (
        r"\b(happy|satisfied|content|pleased) with (our|the|what we)\b"
        r"|\b(zufrieden|satisfaits?|satisfechos?|satisfeitos?|soddisfatti|tevreden|zadowoleni"
        r"|spokojeni|nöjda|nojda|tilfredse|fornøyde|fornoyde|tyytyväisiä|tyytyvaisia)\b",
        3,
    ),
    (r"\bbuilt (our|my) own\b|\bwe (have|built) (an? )?in-?house\b", 3),
    (r"不要です|不要でございます|ご遠慮", 3),
    # "It does not suit a company of our size", "we are going in another direction", and
    # "we are not looking for new tools" said the other way round, in any of the languages.
    (
        r"\b(not|nicht|ne|pas|no|n[ãa]o|non|niet|nie|nen[ií]|ei|inte|ikke)\b[^.!?\n]{0,20}"
        r"\b(suitable|adequate|suited|right for|geeignet|passend|adapt[ée]e?|adecuad[oa]"
        r"|adequad[oa]|adatt[oa]|geschikt|odpowiedni\w*|vhodn\w*|sovellu\w*|l[äa]mplig\w*"
        r"|egnet|passende)\b|\b(different|another|other|andere\w*|autre|otra|outra|altra"
        r"|inn[aą]|jinou|annan|anden|annen|toiseen|een andere)\b (direction|richtung|direction"
        r"|direcci[óo]n|dire[çc][ãa]o|direzione|kierunku|cestou|riktning|retning|suuntaan"
        r"|koers|richting)\b|別の方向|\b(suchen|zoeken|szukamy|hled[aá]me|letar|leder|ser"
        r"|etsimme|cherchons|buscamos|procuramos|cerchiamo)\b[^.!?\n]{0,25}\b(keine|geen|nie"
        r"|inga|ingen|pas|no|n[ãa]o|non)\b",
        3,
    ),
    (r"\bhard pass\b|\bnot going to (move forward|proceed|pursue)\b|\bwe'?ll pass\b", 3),
    # "I'll pass", "Let it be", "No thanks" as the whole answer, in any of the languages.
    (
        r"(?m)^\W*(nah|nope|pass|i'?ll pass|no,? thanks?( you)?|nö|nee|nein,? danke"
        r"|lass(en wir| mal)|sans fa[çc]on|non,? merci|je passe|paso|no,? gracias|dispenso|passo"
        r"|n[ãa]o,? obrigad[oa]|no,? grazie|laat maar( zitten)?|nee,? dank( je| u)?"
        r"|podzi[ęe]kuj[ęe]|nie,? dzi[ęe]kuj[ęe]"
        r"|odpuszcz[ęe]|nechte (to )?b[ýy]t|to nechte b[ýy]t|ne,? d[íi]ky|nej,? tack|vi avst[åa]r"
        r"|nej,? tak|nei,? takk|ei,? kiitos|j[äa]t[äa]n v[äa]liin"
        r"|結構です|遠慮します)\b\W*((thanks|thank you|danke|merci|gracias|obrigad[oa]|valeu"
        r"|grazie|bedankt|dzi[ęe]ki|d[íi]ky|tack|tak|takk|kiitos)\W*)?$"
        r"|\b(lassen wir (das|es)|laat (maar )?zitten|st[åa]r (vi )?over|det st[åa]r vi over"
        r"|j[äa]tet[äa][äa]n v[äa]liin|見送(ります|らせて))\b"
        r"|\bno vamos a invertir\b|\bn[ãa]o vamos investir\b|\bnon investiremo\b",
        3,
    ),
    # "We're all set" and a bare "No interest", in any of the languages.
    (
        r"\b(we'?re|we are) (all )?(set|covered|good)\b|\bwir sind (gut )?versorgt\b"
        r"|\bon est (d[ée]j[àa] )?(bien )?([ée]quip[ée]s|servis)\b|\bestamos (bien )?servidos\b"
        r"|\bestamos bien as[íi]\b|\bsiamo a posto\b|\bsiamo gi[àa] coperti\b"
        r"|\bwe zijn (al )?voorzien\b|\bjeste[śs]my (ju[żz] )?zaopatrzeni\b"
        r"|\bjsme (u[žz] )?zaji[šs]t[ěe]n[ií]\b|\bvi [äa]r (redan )?t[äa]ckta\b"
        r"|\bvi er (allerede )?d[æa]kket( ind)?\b|\bnez[áa]jem\b|\bbrak zainteresowania\b",
        3,
    ),
    # "We went with another supplier", in any of the languages.
    (
        r"\b(fechamos|cerramos|firmamos|elegimos|escolhemos|scelto|chiuso|gekozen|wybrali\w*"
        r"|vybrali|valt|valgt|valitsimme)\b[^.!?\n]{0,25}\b(outro|otro|altro|ander\w*|inn\w+"
        r"|jin\w+|annan|anden|annen|toisen)\b[^.!?\n]{0,12}\b(fornecedor|proveedor|fornitore"
        r"|leverancier|dostawc\w*|dodavatel\w*|leverant[öo]r|leverand[øo]r|toimittaja\w*)",
        3,
    ),
    (r"\b(already|happily) (use|using|work with|working with|have) (a |an )?competitor\b", 3),
    (r"\b(went|gone|going) with (another|a different|an other) (vendor|provider|supplier|tool)", 3),
    (r"\b(solved|fixed|addressed|handled) (this|that|the problem|it)( already)?\b", 2),
    (r"\bdon'?t (buy|purchase)\b.{0,40}\b(cold|this way|e-?mail|like this)\b", 3),
    (r"\bnot (a|any) (priority|focus)\b|\bisn'?t (a|any) priority\b", 3),
    # German.
    (r"\b(für|fuer) einen anderen anbieter entschieden|\banderen? (anbieter|dienstleister)\b", 3),
    (r"\b(bereits|schon) (erledigt|gelöst)\b|\bkaufen nicht\b|\bkeine priorität\b", 3),
    # French.
    (r"\bpas (une|la) priorité\b|\bn'achetons pas\b|\bdéjà (réglé|résolu|un prestataire)", 3),
    (r"\b(choisi|retenu) (une autre|un autre)\b|\bautre (solution|prestataire|fournisseur)", 3),
    # Spanish, Portuguese, Italian.
    (r"\bno es (una )?prioridad\b|\bno compramos\b|\bya (resolvimos|solucionamos)\b", 3),
    (r"\b(elegimos|escogimos) otra\b|\bya tenemos (un )?proveedor\b", 3),
    (r"\b(não|nao) é (uma )?prioridade\b|\bjá resolvemos\b|\bescolhemos outra\b", 3),
    (r"\bjá temos (um )?fornecedor\b|\b(não|nao) compramos\b", 3),
    (r"\bnon è (una )?priorità\b|\babbiamo già (risolto|un fornitore)|\bscelto un'altra\b", 3),
    # Dutch.
    (r"\bgeen prioriteit\b|\bal opgelost\b|\bal een leverancier\b|\bandere oplossing gekozen", 3),
    # Polish.
    (r"\bnie (jestem|jeste[sś]my) zainteresowan\w*|\bnie interesuje\b|\bnie, dzi[eę]kuj[eę]", 3),
    (r"\bmamy ju[zż]\b|\bwybrali[sś]my inn\w*|\bnie jest (to )?(dla nas )?priorytet", 3),
    (r"\bju[zż] (to )?rozwi[aą]zali[sś]my|\bten problem ju[zż]", 3),
    # Czech.
    (r"\bnem[aá]m(e)? z[aá]jem\b|\bne,? d[eě]kuji\b|\bu[zž] m[aá]me\b", 3),
    (
        r"\bvybrali jsme jin\w*|\bnen[ií] (to )?(pro n[aá]s )?priorit"
        r"|\bu[zž] (m[aá]me )?vy[řr]e[sš]en",
        3,
    ),
    # Swedish, Danish, Norwegian.
    (r"\binte intresserad\b|\bnej tack\b|\bvi har redan\b|\bvalt en annan\b", 3),
    (r"\binte prioriterat\b|\bredan löst\b|\bikke interesseret\b|\bnej tak\b", 3),
    (r"\bvi har allerede\b|\bvalgt en anden\b|\bikke en prioritet\b|\ballerede løst\b", 3),
    (r"\bikke interessert\b|\bnei takk\b|\bvalgt en annen\b|\bikke prioritert\b", 3),
    # Finnish.
    (r"\bei kiinnosta\b|\bei kiitos\b|\bmeillä on jo\b|\bvalitsimme toisen\b", 3),
    (r"\bei ole (meille )?prioriteetti\b|\bjo ratkais\w*", 3),
    # Japanese.
    (r"見送らせて|見送り|既に.{0,20}(利用|導入)|必要ありません|興味(は)?ありません|結構です", 3),
)

INTERESTED = _rules(
    (
        r"\b(caught|got|have) my (attention|interest)\b|\bchamou (a )?minha aten[çc][ãa]o\b"
        r"|\bf[åa]ngat mitt intresse\b|\bfanget (min )?interesse\w*\b|\bher[äa]tit kiinnostukseni\b"
        r"|\binteresse geweckt\b|\bretenu mon attention\b|\bmi hai incuriosito\b"
        r"|\bzaujal jste m[eě]\b|\bzainteresowa[lł] mnie\b|\bmijn aandacht\b",
        3,
    ),
    (r"デモ|ご提案を(拝見|伺い)", 3),
    # An offer or a proposal asked for.
    (
        r"\b(send|envíame|envie|envia|mandami|manda|stuur|przes[lł]a[cć]|wy[sś]lij|po[sš]lete"
        r"|skicka|l[äa]het[äa]|schicken sie|envoyez)\b[^.!?\n]{0,25}\b(offer|proposal|quote"
        r"|tarjous|nab[ií]dk\w*|ofert\w*|tilbud|f[öo]rslag|propost\w*|propuesta|proposition"
        r"|voorstel|angebot)",
        3,
    ),
    (
        r"\b(have|har du|har ni|har dere|har i|máte|masz|hast du|haben sie) (some )?"
        r"(time|tid|čas|czas|zeit)\b",
        2,
    ),
    # A demo asked for, even as a question.
    (
        r"\b(demo|démo|demonstra\w*|walk ?through|walk me through|dimostrazione|prezentac\w*)\b"
        r"[^.!\n]{0,30}\?|\b(show|pokaza[cć]|ukázat|ukazat|visa|vise|näyttää|nayttaa|mostrar"
        r"|montrer|faire|mostrarmi|fare|laten zien|geven)\b[^.!?\n]{0,25}\b(demo\w*|démo)",
        3,
    ),
    (
        r"\b(monday|tuesday|wednesday|thursday|friday|montag|dienstag|mittwoch|donnerstag|freitag"
        r"|lundi|mardi|mercredi|jeudi|vendredi|lunes|martes|miércoles|jueves|viernes|lunedì"
        r"|martedì|mercoledì|giovedì|venerdì|segunda|terça|quarta|quinta|sexta|maandag|dinsdag"
        r"|woensdag|donderdag|vrijdag|poniedzia\w+|wtor\w+|środ\w+|czwart\w+|piąt\w+"
        r"|pondělí|úterý|středu|čtvrtek|pátek|måndag|tisdag|onsdag|torsdag|fredag|mandag"
        r"|tirsdag|maanantaina|tiistaina|keskiviikkona|torstaina|perjantaina)\b[^.!\n]{0,25}"
        r"\b(\d{1,2} ?(h|uhr|uur|am|pm)\b|\d{1,2}[:.h]\d\d|(à|às|a las|alle|om|o|v|kl\.?"
        r"|klockan|klokken|kello) \d{1,2})",
        3,
    ),
    # A question that proposes a day ("Free Wednesday morning?", "¿Qué tal el miércoles?") is
    # interest, not a question about the product.
    (
        r"\b(monday|tuesday|wednesday|thursday|friday|tomorrow|montag|dienstag|mittwoch"
        r"|donnerstag|freitag|morgen fr[üu]h|lundi|mardi|mercredi|jeudi|vendredi|demain|lunes"
        r"|martes|mi[ée]rcoles|jueves|viernes|luned[iì]|marted[iì]|mercoled[iì]|gioved[iì]"
        r"|venerd[iì]|domani|segunda|ter[çc]a|quarta|quinta|sexta|amanh[ãa]|maandag|dinsdag"
        r"|woensdag|donderdag|vrijdag|poniedzia\w*|wtor\w*|[śs]rod\w*|czwart\w*|pi[ąa]t\w*"
        r"|jutro|pond[ěe]l\w*|[úu]ter\w*|st[řr]ed\w*|[čc]tvrt\w*|p[áa]t\w*|z[íi]tra|m[åa]ndag"
        r"|tisdag|onsdag|torsdag|fredag|mandag|tirsdag|i morgon|i morgen|maanantai\w*"
        r"|tiistai\w*|keskiviikko\w*|torstai\w*|perjantai\w*|huomenna)\b[^.!?\n]{0,50}\?",
        3,
    ),
    (
        r"お話し(でき|させ|を伺|を聞)|(打ち合わせ|ミーティング|面談|お時間|ご説明).{0,10}(いただけ"
        r"|でき|設定|調整|お願い)",
        3,
    ),
    (
        r"(月曜|火曜|水曜|木曜|金曜|明日|来週)[^。\uff01\uff1f\n]{0,15}(いかが|どう|ご都合|空いて)",
        3,
    ),
    (r"\bmarqu\w* (uma )?(reuni[ãa]o|conversa|call|chamada|demo)", 3),
    (
        r"\bsentiamoci\b|\bkutsu\w*|\bsend (me |us )?(an? )?(calendar )?invit\w*"
        r"|\b(mande|envie|envíe|envoyez|schicken sie|stuur|wyślij|pošlete|skicka|send)\b"
        r"[^.!?\n]{0,20}\b(convite|invitación|invitation|einladung|uitnodiging|zaproszenie"
        r"|pozvánk\w*|inbjudan|invitasjon)",
        3,
    ),
    # Asking when we can talk is interest, even when it is phrased as a question ("available"
    # may be about the product: a person confirms these).
    (
        r"\b(availability|available|slots?|hueco|disponibilidad|disponibilidade|disponible"
        r"|dispon[ií]vel|beschikbaar|verf[üu]gbar|dost[eę]pn\w*|czas|ledig"
        r"|tillg[äa]nglig|disponibile"
        r"|disponibilit\w*|aikaa|sopisi|sopii|passer|passar|passt|past"
        r"|zeit|moment|créneau|creneau)\b[^.!\n]{0,50}\?"
        r"|\b(when|what day|cuándo|cuando|quand|quando|wann|wanneer|kiedy|kdy|när|nar"
        r"|hvornår|hvornar|når|milloin)\b[^.!\n]{0,60}\b(call|chat|talk|meet\w*|demo"
        r"|llamada|hablar|appel|parler|chiamata|sentirci|ligação|ligacao|conversa\w*"
        r"|gespräch|telefon\w*|gesprek|bellen|zadzwoni\w*|rozmow\w*|spotkani\w*|hovor"
        r"|schůz\w*|samtal\w*|ringa|opkald|møde|samtale|møte|puhelu\w*|palaveri\w*|tavata"
        r"|zavolat|soittaa|ringas|ringes|telefon|chiamata|ligação|appeler)",
        2,
    ),
    (
        r"\bwhat does [\w ]{1,24} look like\b",
        3,
    ),
    (
        r"\b(plan|book|boka|booke|schedule|agend\w*|program\w*|inplannen|zarezerw\w*)\b"
        r"[^.!?\n]{0,30}\b(demo|call|meeting|möte|møde|møte|reunión|reunião|riunione|afspraak"
        r"|spotkanie|schůzk\w*)",
        3,
    ),
    # English refusals: competitor chosen, problem solved, "we don't buy this way", "hard pass".
    (r"\b(book|schedule|put) (something|a (call|meeting|time))\b.{0,20}\bwith me\b", 3),
    (r"\bbeen looking for (exactly )?(this|something like this)\b|\babout a pilot\b", 3),
    (r"\btiming is (actually )?(good|great|right|perfect)\b", 2),
    (r"\b(looks|seems|sounds|is) (very |really )?relevant\b", 2),
    (r"\b(a couple of|a few|some|two or three) (slots|times|options)\b", 3),
    (r"\b(calons|planifions|organisons|prenons) (un|une) (appel|call|rendez-vous|réunion)", 3),
    (r"\bje veux bien (une|un) (démo|demo|appel|échange)|\bbonne idée\b", 2),
    (r"\b(agendemos|hablemos|programemos|coordinemos)\b|\bmánd(a|e)me\b.{0,40}\bprecios", 3),
    (r"\b(me )?(envie|mande)\b.{0,30}\b(horários|preços|apresentação)|\bparece bom\b", 3),
    (r"\bfissiamo\b|\b(mi piacerebbe|vorrei) (vedere|una demo)|\binviami\b", 3),
    (
        r"\blaten we\b.{0,30}\b(afspraak|gesprek|bellen|inplannen)|\bstuur (me"
        r"|mij)\b.{0,30}\btijden",
        3,
    ),
    (r"\bik wil graag\b.{0,20}\bdemo\b", 3),
    # Polish.
    (r"\bbrzmi ciekawie\b|\bch[eę]tnie\b|\bum[oó]wmy si[eę]\b|\bchcia[lł]\w* zobaczy[cć]", 3),
    (
        r"\bmo[zż]emy porozmawia[cć]|\bprosz[eę] (o|przes[lł]a[cć])\b.{0,30}\b(termin"
        r"|prezentacj|cennik)",
        3,
    ),
    # Czech.
    (
        r"\bz[nň][ií] to zaj[ií]mav|\bdomluvme si\b|\bm[uů][zž]eme si zavolat"
        r"|\br[aá]d bych vid[eě]l",
        3,
    ),
    (r"\bpo[sš]lete mi\b.{0,40}\b(term[ií]n|prezentac|cen[ií]k)|\bzaj[ií]mav[eé]\b", 2),
    # Swedish, Danish, Norwegian.
    (r"\bl[åa]ter intressant|\bskicka( n[åa]gra)? tider|\bvi bokar\b|\bvill g[äa]rna se\b", 3),
    (r"\blyder interessant|\bsend mig\b.{0,30}\b(tidspunkter|priser|præsentation)", 3),
    (r"\blad os (booke|tage|aftale)|\bjeg vil gerne se\b|\bsp[æe]ndende\b", 3),
    (r"\bh[øo]res interessant|\bsend meg\b.{0,30}\b(tidspunkter|priser|presentasjon)", 3),
    (r"\bla oss (avtale|ta|booke)|\bjeg vil gjerne se\b|\bspennende\b", 3),
    (r"\bta en prat\b|\btage en snak\b|\bta ett samtal\b|\bintressant\b", 2),
    (r"\bskicka\b.{0,30}\b(presentation|priser|tider|underlag)", 3),
    (r"\b(montag|dienstag|mittwoch|donnerstag|freitag)\b.{0,12}\d{1,2}(:\d\d)? ?uhr\b", 3),
    (r"\bpasst (gut|mir)\b|\bsuchen gerade\b", 2),
    # Finnish.
    (r"\bkuulostaa kiinnostavalta|\bkiinnostavaa\b|\bmielell[äa]ni\b|\bsovitaan\b", 3),
    (
        r"\bhaluaisin n[äa]hd[äa]|\bvoisimmeko (soittaa|tavata|jutella)"
        r"|\bl[äa]het[äa]\b.{0,30}\b(aika|hinnasto|esitys)",
        3,
    ),
    # Japanese.
    (r"興味があります|ぜひ|お打ち合わせ|詳しく(聞き|お聞き|伺い)|資料を(送|お送り)", 3),
)

REFERRAL = _rules(
    (r"\bwho (do|should) i talk to\b", 0),
    (r"\bpass(ed|ing)? (this|it|your (note|e-?mail|message)) (on|along) to\b", 3),
    (r"\bich habe (das unternehmen|die firma) verlassen\b|\bleite\b.{0,40}\bweiter\b", 3),
    (r"\bkontaktieren sie\b|\bwenden sie sich\b", 2),
    (r"\bj'ai quitté\b|\bje transmets\b|\bs'occupe de ce sujet\b", 3),
    (r"\bya no trabajo\b|\bte paso con\b|\b(eso|esto) lo lleva\b|\bse encarga\b", 3),
    (r"\bsa[ií] da empresa\b|\bvou encaminhar\b|\bquem cuida\b", 3),
    (r"\bho lasciato l'azienda\b|\binoltro\b|\bse ne occupa\b", 3),
    (r"\bik werk hier niet meer\b|\bik stuur (dit|het) door\b|\bloopt via\b", 3),
    # Polish.
    (r"\bnie jestem w[lł]a[sś]ciw\w* osob|\btym zajmuje si[eę]\b|\bnie pracuj[eę] ju[zż]", 3),
    (
        r"\bprzekazuj[eę]\b|\bprzekaza[lł]\w*\b"
        r"|\bprosz[eę] (napisa[cć]|kontaktowa[cć] si[eę]) (do|z)\b",
        3,
    ),
    # Czech.
    (r"\bnejsem spr[aá]vn[aá] osoba|\bm[aá] na starosti\b|\bu[zž] ve firm[eě] nepracuji", 3),
    (r"\bp[řr]epos[ií]l[aá]m\b|\bkontaktujte pros[ií]m\b|\bnapi[sš]te pros[ií]m\b", 3),
    # Swedish, Danish, Norwegian.
    (r"\binte r[äa]tt person|\bsk[öo]ts av\b|\bjag har slutat\b|\bvidarebefordrar\b", 3),
    (r"\bikke den rette person|\bh[åa]ndteres af\b|\bjeg er stoppet\b|\bvideresender\b", 3),
    (r"\bikke rett person|\bh[åa]ndteres av\b|\bjeg har sluttet\b", 3),
    (r"\bkontakt (min|vores|v[åa]r)\b|\bkontakta (min|v[åa]r)\b", 2),
    # Finnish.
    (r"\ben ole oikea henkil[öo]|\bt[äa]t[äa] hoitaa\b|\bolen l[äa]htenyt yrityksest[äa]", 3),
    (r"\bv[äa]lit[äa]n\b|\bota yhteytt[äa]\b", 3),
    # Japanese.
    (r"担当(者|部署)|担当は|転送いたします|退職いたしました", 3),
)

OUT_OF_OFFICE = _rules(
    (r"\bpoza biurem\b|\bna urlopie\b|\bnieobecn\w*|\bograniczony dost[eę]p\b", 3),
    (r"\bmimo kancel[aá][řr]|\bna dovolen[eé]\b|\bnep[řr][ií]tom\w*", 3),
    (r"\binte p[åa] kontoret\b|\bp[åa] semester\b|\btj[äa]nstledig\b", 3),
    (r"\bikke p[åa] kontoret\b|\bholder ferie\b|\bfrav[æe]rende\b|\bp[åa] ferie\b", 3),
    (r"\bpoissa toimistolta\b|\blomalla\b|\bolen poissa\b", 3),
    (r"\bbegrenset tilgang\b|\bjeg er borte\b|\bbegränsad tillgång\b|\bbegrænset adgang\b", 3),
    (r"不在|休暇|出張中|外出中", 3),
    # Away without reading mail, in any of the languages: an absence, not a refusal of email.
    (
        r"\b(lees geen|lees ik geen|l[äa]ser inte|leser ikke|l[æa]ser ikke|nie sprawdzam|nie czytam"
        r"|nie odczytuj\w*|en(k[äa])? (seuraa|lue|tarkista)|sem acesso|senza accesso"
        r"|accesso (saltuario|limitato|ridotto)"
        r"|bez p[řr][ií]stupu|bez dost[eę]pu|ohne (zugang|zugriff)|lese (ich )?keine|sin acceso"
        r"|sans acc[èe]s|no access|not (checking|reading)|won'?t (be )?(checking|reading)"
        r"|neodpov[ií]d[aá]m|nekontroluji|ingen tillg[åa]ng|ingen adgang|ingen tilgang"
        r"|[äa]r borta|kein zugriff|ne lis pas|ne consulte pas|no leo|no reviso|n[ãa]o leio"
        r"|non leggo|non controllo)\b[^.!?\n]{0,30}(e-?mail\w*|mail\w*|post\w*|poczt\w*"
        r"|s[äa]hk[öo]post\w*|correo\w*|courriel\w*|messagerie|e-post|e-postar|mejl\w*|pošt\w*)",
        3,
    ),
    # Leave and travel that take someone away for days.
    (
        r"\b(f[öo]r[äa]ldraledig\w*|tj[äa]nstere\w*|permisjon|barsel\w*|forretningsrej\w*"
        r"|tjenestereis\w*|forretningsreis\w*|vanhempainvapaa\w*|ty[öo]matka\w*|sairauslomal\w*|zwolnieni\w*"
        r"|delegacj\w*|urlopie|slu[žz]ebn[ií] cest\w*|nemocensk\w*|dienstreise|elternzeit"
        r"|op reis|zwangerschapsverlof|ouderschapsverlof|licen[çc]a|viagem a trabalho|de viaje"
        r"|viaje de trabajo|en d[ée]placement|cong[ée] (maternit[ée]|parental|maladie)|trasferta"
        r"|per una fiera|fuori per|business trip|parental leave|sick leave)\b",
        2,
    ),
    (r"(\d{1,2}[日月]|曜日?).{0,6}まで.{0,20}(休|不在|出張|留守|戻り)", 3),
)

QUESTION = _rules(
    (r"\bile (to )?kosztuje\b|\bczy (jest|macie|mo[zż]na)\b|\bgdzie\b|\bjak wygl[aą]da\b", 2),
    (r"\bkolik (to )?stoj[ií]\b|\bm[aá]te\b.{0,30}\?|\bkde jsou\b|\bnab[ií]z[ií]te\b", 2),
    (r"\bvad kostar\b|\bfinns det\b|\bvar lagras\b|\bhar ni\b|\bhur fungerar\b", 2),
    (r"\bhvad koster\b|\ber der\b.{0,30}\?|\bhvor opbevares\b|\bhar i\b|\bhvordan fungerer\b", 2),
    (r"\bhva koster\b|\bhar dere\b|\bhvor lagres\b", 2),
    (r"\bpaljonko\b|\bonko\b|\bmiss[äa]\b|\bmiten\b", 2),
    (r"ですか|でしょうか|いくら|ますか|教えて(ください|いただけ|頂け|もらえ)", 2),
)

# More ways of saying yes: "tell me more", "let's book a chat", "Tuesday afternoon can be
# arranged", in the languages the rules above read least.
MORE_INTERESTED = _rules(
    (
        r"\bvertel (me|ons|mij) (er )?meer\b|\b(vamos|podemos) marcar\b|\bvaraa (aika|palaveri"
        r"|tapaaminen|puolen tunnin)\b|調整可能|都合が(つき|付き)ます|空いております|伺えます"
        r"|お時間(を)?(いただけ|頂け)",
        3,
    ),
)

# More ways of pointing us to someone else, in Japanese: "Suzuki in sales planning handles this,
# please contact them", "Tanaka in sales decides".
MORE_REFERRAL = _rules(
    (
        r"(の|が)?担当(して(おり)?ます|しております|です|者)|(そちら|こちら)(に|へ)(ご)?連絡"
        r"|が判断(します|いたします)",
        3,
    ),
)

# Replies a person should answer, whatever else they seem to say: who is writing and how they got
# the address, whether it is spam or a machine, a wry or sarcastic aside, and "maybe, it depends".
NEEDS_PERSON = _rules(
    # Who are you, who is this, do we know each other, have we spoken, remind me of the context.
    (
        r"\bwho (is this|are you|r u|is writing|gave you|sold you)\b|\bdo (i|we) know (you|each)"
        r"|\bhave we (met|spoken|talked)\b|\bremind me (who|what|of)\b"
        r"|\bwer (sind sie|ist das|bist du|hat ihnen)\b|\bkennen wir uns\b"
        r"|\bqui (êtes|etes)[- ]vous\b|\bc'est qui\b|\bon se conna[iî]t\b|\bon s'est (déjà )?parl"
        r"|\brappelez-moi\b|\bqui vous a (donné|transmis)\b"
        r"|\bqui[eé]n (es|eres|sois|le dio|te dio|les dio)\b|\bnos conocemos\b"
        r"|\bquem (é|e|s[aã]o) (voc[eê]|o senhor|a senhora|voc[eê]s)\b|\bn[ãa]o lembro\b"
        r"|\bnos conhecemos\b|\bchi (sei|siete|è lei|e lei|vi ha dato|ti ha dato)\b"
        r"|\bci conosciamo\b|\bwie (bent u|ben jij|ben je|is dit|heeft u)\b|\bkennen wij elkaar\b"
        r"|\bkim (pan|pani|jeste[sś])\w*|\bkto (to|pisze|da[lł])\b|\bkdo (jste|jsi|to je|v[aá]m)\b"
        r"|\bvem (är du|är ni|är detta|är det|gav)\b|\bk[äa]nner vi\b"
        r"|\bhvem (er du|er i|er det|er dette|er dere|har givet|har gitt|gav|ga)\b"
        r"|\bkender vi\b|\bkjenner vi\b|\bkuka (olet|olette|te|sin[äa]|antoi)\b|\bmik[äa] ihmeen\b"
        r"|\btunnemmeko\b|どちら様|どなた|誰ですか|どこで.{0,10}(知|入手)",
        3,
    ),
    # Where they got the address, and whether the message is spam, a scam or written by a machine.
    (
        r"\b(spam|scam|phishing|roskaposti\w*)\b|\b(a |by a )?bot (write|wrote|written)\b"
        r"|\bare you (a bot|real|human)\b|\bwoher haben sie\b|\bo[uù] avez-vous (eu|trouv|obtenu)"
        r"|\bde d[oó]nde (sac|obtuv|consigui)\w*|\bonde (conseguiu|obteve|pegou|arranjou)\b"
        r"|\bdove (avete|hai) (preso|trovato|ottenuto)\b|\bhoe (komt u|kom je|komen jullie) aan\b"
        r"|\bsk[aą]d (ma|macie|masz)\b|\bodkud (m[aá]te|m[aá][sš])\b|\bvar fick (du|ni)\b"
        r"|\bhvor har (du|i|dere) (f[åa]et|f[åa]tt)\b|\bmist[äa] (sait|saitte)\b|迷惑メール|スパム",
        3,
    ),
    # A wry or sarcastic aside: laughter, "seriously?", "nice try", and the faces that wink at it.
    (
        r"\b(lol|lmao|rofl|haha\w*|jaja\w*|hehe\w*|kkk+)\b|\bseriously\?|\ben serio\b"
        r"|\bs[ée]rio\?|\bsul serio\b|\bim ernst\b|\bs[ée]rieux\b|\bnice try\b|\bleuk geprobeerd\b"
        r"|\bnetter versuch\b|\bbien essay[ée]\b|\bbuen intento\b|\bbela tentativa\b"
        r"|\bbel tentativo\b|\bniez[lł]a pr[oó]ba\b|\bhezk[yý] pokus\b|\bsnyggt f[öo]rs[öo]k\b"
        r"|\bgodt fors[øo]gt\b|\bgodt fors[øo]k\b|\bhyv[äa] yritys\b"
        r"|[\U0001f643\U0001f644\U0001f609\U0001f60f\U0001f602\U0001f923]",
        3,
    ),
    # "Maybe.", "maybe later", "it depends": neither a yes nor a no.
    (
        r"(?m)^\W*(maybe|perhaps|vielleicht|peut-[êe]tre|quiz[aá]s?|tal vez|talvez|forse|misschien"
        r"|mo[zż]e|mo[zž]n[aá]|kanske|m[åa]ske|kanskje|ehk[äa])\b\s*[.,!?]"
        r"|\b(maybe|perhaps|vielleicht|peut-[êe]tre|quiz[aá]s?|tal vez|talvez|forse|misschien"
        r"|mo[zż]e|mo[zž]n[aá]|kanske|m[åa]ske|kanskje|ehk[äa])\b[^.!?\n]{0,20}\b(later|sometime"
        r"|someday|plus tard|m[aá]s adelante|mais tarde|pi[uù] avanti|p[oó][zź]niej|pozd[eě]ji"
        r"|l[äa]ngre fram|senare|senere|my[öo]hemmin)\b"
        r"|\b(it )?depends\b|\bkommt (drauf|darauf) an\b|\bça d[ée]pend\b|\bdepende\b|\bdipende\b"
        r"|\bhangt (ervan|er van) af\b|\bzale[żz]y\b|\bz[aá]le[žz][ií]\b|\bdet beror\b"
        r"|\bdet afh[æa]nger\b|\bdet kommer an p[åa]\b|\briippuu\b"
        r"|^\W*(検討します|考えておきます)\W*$",
        3,
    ),
    # A yes or a no taken back in the same breath: "Maybe. Or maybe not.", "… o no.", "Albo nie."
    (
        r"(?:^|[,.…;:!-]|\.\.\.)\s*(or (maybe |perhaps )?not|oder (auch |eben )?nicht"
        r"|ou (peut-[êe]tre )?pas|ou non|o (tal vez |quiz[aá]s? )?no|ou (talvez )?n[ãa]o"
        r"|o (forse |anche )?no|forse no|of (misschien )?(ook )?niet|misschien ook niet"
        r"|albo nie|a mo[żz]e nie|lub nie|nebo (taky |mo[žz]n[aá] )?ne|mo[žz]n[aá] ne"
        r"|eller (kanske |kanskje |m[åa]ske )?(inte|ikke|ej)|eller ogs[åa] (ikke|inte)"
        r"|kanske inte|kanskje ikke|m[åa]ske ikke|tai (sitten |ehk[äa] )?ei|ehk[äa] ei)"
        r"\s*(?:[.!…]|\.\.\.|$)",
        3,
    ),
    # Nothing but puzzlement: "Huh?", "Hæ?", "Como assim?", "?".
    (
        r"^\W*(\?+|huh|what|eh|h[äa]h?|hein|quoi|qu[ée]|como assim|c[oó]mo|cosa|come|wat|hoezo"
        r"|co|cože|jak to|vad|hva|h[æe]|mit[äa]|h[äa]|え|は|何)\s*[?\uff1f]+\W*$",
        3,
    ),
    # Not knowing whether to laugh or cry, and "you wrote to us before, didn't you?"
    (
        r"\b(laugh or cry|lachen oder weinen|rire ou pleurer|re[íi]r o llorar|rir ou chorar"
        r"|ridere o piangere|lachen of huilen|[śs]mia[ćc] si[ęe] czy p[łl]aka[ćc]"
        r"|sm[áa]t,? nebo br[ée]ct|skratta eller gr[åa]ta|grine eller gr[æa]de|le eller gr[åa]te"
        r"|nauraa vai itke[äa])\b"
        r"|\b(already|before) (contacted|emailed|written to|wrote to) (me|us)\b"
        r"|\b(contacted|emailed|wrote to|written to) (me|us) (before|already|last year)\b"
        r"|\bschon (mal |einmal )?(angeschrieben|kontaktiert)\b|\bd[ée]j[àa] (contact|[ée]crit)"
        r"|\bya (me|nos) (escribi|contact)\w*|\bj[áa] (me|nos) (contat|escrev)\w*"
        r"|\bgi[àa] (contattat|scritt)\w*|\bal eens (gemaild|benaderd|gecontacteerd)\b"
        r"|\bju[żz] (pisali|pisa[łl]|kontaktowa)\w*|\bu[žz] (jste )?(ps[aá]l|kontaktoval)\w*"
        r"|\b(redan|allerede|jo) (kontakta|skrivit|skrevet|kontaktet)\w*"
        r"|\bjo aiemmin (ottaneet|ottanut|kirjoittaneet)\b|以前.{0,10}(連絡|メール)",
        3,
    ),
    # "Why me?", "Why are you writing to me?"
    (
        r"\bwhy (me|us|are you (writing|emailing|contacting|messaging)|did you (write|email|pick))"
        r"\b|\bwarum (ich|wir|schreiben sie (mir|uns)|gerade (ich|wir|uns))\b"
        r"|\bpourquoi (moi|nous|m'[ée]crivez|vous m'[ée]crivez)|\bpor qu[ée] (a )?(m[íi]|nosotros"
        r"|me (escribe|escribes|escriben))\b|\bpor que (eu|n[óo]s|me (escreve|escreveu))\b"
        r"|\bperch[ée] (a )?(me|noi|mi (scrive|scrivete|scrivi))\b"
        r"|\bwaarom (ik|wij|ons|mij|mailt)\b"
        r"|\bdlaczego (ja|my|do mnie|do nas|pan pisze|pani pisze)\b|\bpro[čc] (j[áa]|my|mn[ěe]"
        r"|n[áa]m|mi p[íi][šs]ete)\b|\bvarf[öo]r (jag|vi|mig|oss|skriver (du|ni))\b"
        r"|\bhvorfor (mig|meg|os|oss|skriver (du|i|dere))\b|\bmiksi (min[äa]|minulle|meille"
        r"|me|kirjoitat)\b|なぜ(私|弊社)",
        3,
    ),
    # Nothing but an acknowledgement: "Thanks for the note.", "Přijato, děkuji.", "Ok, kiitos."
    (
        r"^\W*((ok(ay)?|thanks?( you)?( for (the|your) (note|message|e-?mail|info))?|noted|received"
        r"|got it|understood|alles klar|danke( schön| sehr)?|zur kenntnis genommen|erhalten"
        r"|merci( (pour|de) (le|votre) (message|mail|courriel))?|re[çc]u|(c'est )?not[ée]"
        r"|(c'est )?not[ée] de mon c[ôo]t[ée]|gracias|recibido|entendido|anotado|obrigad[oa]"
        r"|recebido|grazie|ricevuto|preso nota|bedankt|dank( je| u)?|top|ontvangen|genoteerd"
        r"|dzi[ęe]kuj[ęe]|dzi[ęe]ki|otrzyma[łl](em|am)|przyj[ąa][łl](em|am)|d[ěe]kuji|d[íi]ky"
        r"|p[řr]ijato|beru na v[ěe]dom[íi]|tack|mottaget|noterat|tak|modtaget|noteret|takk"
        r"|mottatt|notert|kiitos|vastaanotettu|selv[äa]|noteerattu)\W*)+$"
        r"|^\W*(承知(いた)?しました|了解(いた)?しました|拝見しました|ありがとうございます)\W*$",
        3,
    ),
    # A lone word of appraisal: "Interesting.", "Interessante Mail.", "Spændende."
    (
        r"^\W*(interesting|intriguing|curious|interessant|spannend|int[ée]ressant|interesante"
        r"|interessante|intrigante|ciekawe|zaj[íi]mav[ée]|zaj[íi]mav[ýy]|intressant|sp[æa]ndende"
        r"|mielenkiintoista|kiinnostavaa|面白い|興味深い)\W*(e-?mail|mail|idea|offer|approach"
        r"|id[ée]e|proposta|propuesta|propos[ai]tion|nab[íi]dka|oferta|tilbud|erbjudande)?\W*$",
        3,
    ),
)

# Hedges: not knowing, "we'll see", "hard to say", "let me think it over", "I'll get back to
# you", a "hmm". They leave the reply to a person unless a phrase of another intent is read too
# (then that intent is suggested, and a person confirms it).
HEDGES = _rules(
    (
        r"\b(not sure|unsure|no idea|don'?t know|dunno|on the fence|undecided|torn)\b"
        r"|\b(wei(ß|ss) (ich )?nicht|keine ahnung|nicht sicher|unsicher|unschl[üu]ssig)\b"
        r"|\b(je ne sais pas|je sais pas|aucune id[ée]e|pas s[ûu]re?|pas certaine?|j'h[ée]site)\b"
        r"|\b(no s[ée]|no lo s[ée]|ni idea|no estoy segur[oa]|no lo tengo claro)\b"
        r"|\b(n[ãa]o sei|sei l[áa]|n[ãa]o tenho certeza|n[ãa]o estou segur[oa])\b"
        r"|\b(non so|non lo so|boh|non saprei|non sono sicur[oa]|non ne ho idea)\b"
        r"|\b(weet (ik )?niet|geen idee|niet zeker|ik twijfel)\b"
        r"|\b(nie wiem|nie jestem pew\w+|nie mam poj[ęe]cia|waham si[ęe])\b"
        r"|\b(nev[íi]m|nejsem si jist\w*|netu[šs][íi]m|v[áa]h[áa]m)\b"
        r"|\b(vet inte|vet ej|ingen aning|os[äa]ker|inte s[äa]ker|tvekar)\b"
        r"|\b(ved ikke|ingen anelse|usikker|ikke sikker|i tvivl)\b"
        r"|\b(vet ikke|aner ikke|i tvil)\b"
        r"|\b(en tied[äa]|en ole varma|ep[äa]varma|en osaa sanoa)\b"
        r"|わかりません|分かりません|どうでしょう|何とも言え|なんとも言え",
        3,
    ),
    # "We'll see", "hard to say". ("Who knows" is left out: "who knows, maybe one day" closes
    # many a polite no.)
    (
        r"\b(we'?ll see|we will see|time will tell|hard to say|difficult to say)\b"
        r"|\b(mal sehen|mal schauen|schauen wir mal|wir werden sehen|schwer zu sagen)\b"
        r"|\b(on verra|nous verrons|difficile [àa] dire|dur [àa] dire)\b"
        r"|\b(ya veremos|ya se ver[áa]|dif[íi]cil (de )?decir)\b"
        r"|\b(vamos ver|veremos|dif[íi]cil dizer)\b"
        r"|\b(vedremo|si vedr[àa]|staremo a vedere|difficile (da )?dire)\b"
        r"|\b(we zien wel|we zullen zien|moeilijk te zeggen|lastig te zeggen)\b"
        r"|\b(zobaczymy|si[ęe] zobaczy|trudno powiedzie[ćc]|ci[ęe][żz]ko powiedzie[ćc])\b"
        r"|\b(uvid[íi]me|to se uvid[íi]|t[ěe][žz]ko [řr][íi]c[ti]?)\b"
        r"|\b(vi f[åa]r se|det f[åa]r vi se|sv[åa]rt att s[äa]ga)\b"
        r"|\b(det m[åa] vi se|sv[æa]rt at sige)\b"
        r"|\b(vanskelig [åa] si)\b"
        r"|\b(saa n[äa]hd[äa]|saas n[äa]hd[äa]|vaikea sanoa|vaikee sanoa)\b"
        r"|様子を見|何とも|なんとも",
        3,
    ),
    # "I'll circle back", "I'll get back to you", without saying what the answer is.
    (
        r"\b(will|i'?ll|we'?ll) (circle|get|come) back\b|\b(ich|wir) melden? (uns|mich)\b"
        r"|\bje (vous )?reviens vers vous\b|\bje reviendrai vers vous\b|\bte (digo|aviso) algo\b"
        r"|\bte falo depois\b|\bme fala de novo\b|\bti (faccio|farò) sapere\b"
        r"|\bik kom (er )?(nog )?op terug\b|\bodezw[ęe] si[ęe]\b|\bozvu se\b|\b[åa]terkommer\b"
        r"|\bvender tilbage\b|\bkommer tilbake\b|\bpalaan asiaan\b|追って(ご)?連絡",
        3,
    ),
    # "Let me think it over", "I'll sleep on it".
    (
        r"\b(let me (think|sit on|sleep on|mull)|i'?ll (think|mull) (about|it over|on)"
        r"|(need|have) to think (about )?it)\b"
        r"|\b(ich (denke|denk|schlafe|schlaf) (mal )?dr[üu]ber|(ich )?[üu]berlege? (es )?mir"
        r"|muss ich mir [üu]berlegen|lass mich (dr[üu]ber )?nachdenken)\b"
        r"|\b(je vais (y )?r[ée]fl[ée]chir|laissez-moi r[ée]fl[ée]chir|j'y r[ée]fl[ée]chis"
        r"|je vais y penser)\b"
        r"|\b(lo pienso|lo pensar[ée]|d[ée]jame pensarlo|lo voy a pensar|tengo que pensarlo)\b"
        r"|\b(vou pensar|deixa eu pensar|preciso pensar)\b"
        r"|\b(ci penso|ci penser[òo]|fammi pensare|ci devo pensare|ci rifletto)\b"
        r"|\b(ik denk erover na|ik ga erover nadenken|laat me (even )?nadenken"
        r"|moet er (even )?over nadenken)\b"
        r"|\b(zastanowi[ęe] si[ęe]|musz[ęe] si[ęe] zastanowi[ćc]|przemy[śs]l[ęe]|pomy[śs]l[ęe])\b"
        r"|\b(rozmysl[íi]m|promysl[íi]m|mus[íi]m si to rozmyslet|pop[řr]em[ýy][šs]l[íi]m)\b"
        r"|\b(jag funderar|ska fundera|l[åa]t mig fundera|f[åa]r fundera|jag ska t[äa]nka)\b"
        r"|\b(jeg t[æa]nker over det|lad mig t[æa]nke|skal lige t[æa]nke)\b"
        r"|\b(jeg tenker p[åa] det|la meg tenke|skal tenke p[åa] det)\b"
        r"|\b(pit[äa][äa] miett[iä]\w*|t[äa]ytyy miett[iä]\w*|harkitsen|mietin asiaa)\b"
        r"|考えさせて",
        3,
    ),
    # A "hmm", "meh" or "tja" that opens the reply.
    (
        r"^\W*(hmm+|hm+|mmm+|ehm+|[öo]hm+|euh+|bof|uhm+|meh|tja+|nja+|nou ja|no c[óo][żz]|pff+"
        r"|b[ée]h)\b",
        3,
    ),
)
