package deadline

import (
	"slices"
	"time"
)

// Notes shared by several rules.
const (
	noteDistance = "Délai de distance pour une partie demeurant à l'étranger : point incertain (REFERENCE.md), non appliqué."
	noteRecod    = "Code recodifié (ordonnance 2025-1091) : numéro d'article non connu ; entrée en vigueur retenue le 1er janvier 2029 (peut-être 2030)."
	noteNotified = "Le déclencheur est la date de notification ou de signification saisie par le juriste."
	note175      = "Texte de l'article 175 en vigueur depuis le 30/09/2024 : à vérifier (point incertain de REFERENCE.md)."
	note706_47   = "Portée de l'article 706-47 pour 227-23 (images) et 225-4-1 (traite) : point incertain (REFERENCE.md) ; la catégorie est choisie par le juriste."
	noteSliding  = "Prescription glissante (loi 2021-478) : non calculée ; une infraction de même nature commise par le même auteur sur un autre mineur peut prolonger ce délai."
	noteTransit  = "Faits antérieurs à la loi 2021-478 du 21 avril 2021 : les règles transitoires ne sont pas codées, à vérifier."
	noteNo801    = "Pas de report de week-end ou de jour férié (art. 801 non appliqué à la prescription : lecture prudente)."
)

// versions is a rule's references: article in the current CPP until the
// recodification, unknown numbering in the recodified code after it.
func versions(article string) []Ref {
	return []Ref{
		{Code: CPP, Article: article, To: Recodification.AddDate(0, 0, -1)},
		{Code: CPP2029, From: Recodification},
	}
}

var catalogue = []Rule{
	{
		ID: "tc-appel", Title: "Appel d'un jugement contradictoire du tribunal correctionnel",
		AppliesTo: "jugement du tribunal correctionnel rendu contradictoirement",
		Kind:      Limit, Refs: versions("498 al. 1"), Trigger: JudgmentDelivered,
		Duration: Duration{10, Days}, Concerns: []Party{CivilParty, Defendant, Prosecutor},
		Limits: []string{"partie civile : intérêts civils seulement (art. 497 3°)"},
		Source: "Le délai d'appel est de dix jours à compter du prononcé du jugement contradictoire.",
		Notes:  []string{noteDistance, noteRecod},
	},
	{
		ID: "tc-appel-signification", Title: "Appel d'un jugement du tribunal correctionnel non contradictoire",
		AppliesTo: "jugement du tribunal correctionnel dont le délai court de la signification (partie absente non informée de la date du prononcé, défaut…)",
		Kind:      Limit, Refs: versions("498 al. 2, 499"), Trigger: JudgmentSignified,
		Duration: Duration{10, Days}, Concerns: []Party{CivilParty, Defendant, Prosecutor},
		Limits: []string{"partie civile : intérêts civils seulement (art. 497 3°)"},
		Source: "Lorsque le jugement n'est pas contradictoire à l'égard de la partie, le délai de dix jours ne court qu'à compter de sa signification.",
		Notes:  []string{noteNotified, noteDistance, noteRecod},
	},
	{
		ID: "tc-appel-incident", Title: "Appel incident après l'appel d'une autre partie (tribunal correctionnel)",
		AppliesTo: "jugement du tribunal correctionnel dont une autre partie a fait appel dans le délai de dix jours",
		Kind:      Limit, Refs: versions("500"), Trigger: JudgmentDelivered, Follows: "tc-appel",
		Duration: Duration{5, Days}, Concerns: []Party{CivilParty, Defendant, Prosecutor},
		Limits: []string{"seulement si une autre partie a fait appel pendant le délai principal", "partie civile : intérêts civils seulement (art. 497 3°)"},
		Source: "En cas d'appel d'une des parties pendant le délai, les autres parties ont un délai supplémentaire de cinq jours, qui court de l'expiration du délai principal.",
		Notes: []string{"Point de départ : fin du délai principal (REFERENCE.md), non le jour de l'appel principal.",
			"Compté depuis le prononcé ; si le délai principal court de la signification, saisir la date de signification comme déclencheur.", noteRecod},
	},
	{
		ID: "tc-appel-pg", Title: "Appel du procureur général (tribunal correctionnel)",
		AppliesTo: "jugement du tribunal correctionnel",
		Kind:      Limit, Refs: versions("505"), Trigger: JudgmentDelivered,
		Duration: Duration{20, Days}, Concerns: []Party{ProsecutorGeneral},
		Source: "Le procureur général peut faire appel dans un délai de vingt jours à compter du prononcé du jugement.",
		Notes: []string{"Les autres parties disposent alors de cinq jours supplémentaires (REFERENCE.md : « others +5 ») ; leur point de départ n'est pas établi par REFERENCE.md : non calculé, à vérifier dans l'article 505.",
			noteRecod},
	},
	{
		ID: "criminel-appel", Title: "Appel d'un arrêt de cour d'assises ou de cour criminelle départementale",
		AppliesTo: "arrêt de la cour d'assises ou de la cour criminelle départementale, prononcé en présence de la partie",
		Kind:      Limit, Refs: versions("380-9"), Trigger: JudgmentDelivered,
		Duration: Duration{10, Days}, Concerns: []Party{CivilParty, Defendant, Prosecutor},
		Limits: []string{"partie civile : intérêts civils seulement (art. 380-2 4°)"},
		Source: "L'appel est interjeté dans le délai de dix jours à compter du prononcé de l'arrêt (départ comme à l'article 498).",
		Notes:  []string{noteDistance, noteRecod},
	},
	{
		ID: "criminel-appel-signification", Title: "Appel d'un arrêt criminel dont le délai court de la signification",
		AppliesTo: "arrêt de cour d'assises ou de cour criminelle départementale, partie absente au prononcé (départ comme à l'article 498 al. 2)",
		Kind:      Limit, Refs: versions("380-9"), Trigger: JudgmentSignified,
		Duration: Duration{10, Days}, Concerns: []Party{CivilParty, Defendant, Prosecutor},
		Limits: []string{"partie civile : intérêts civils seulement (art. 380-2 4°)"},
		Source: "Le délai de dix jours court, comme à l'article 498, de la signification pour la partie qui n'était pas présente au prononcé.",
		Notes:  []string{noteNotified, noteDistance, noteRecod},
	},
	{
		ID: "criminel-appel-incident", Title: "Appel incident d'un arrêt criminel après l'appel d'une autre partie",
		AppliesTo: "arrêt de cour d'assises ou de cour criminelle départementale dont une autre partie a fait appel",
		Kind:      Limit, Refs: versions("380-10"), Trigger: JudgmentDelivered, Follows: "criminel-appel",
		Duration: Duration{5, Days}, Concerns: []Party{CivilParty, Defendant, Prosecutor},
		Limits: []string{"seulement si une autre partie a fait appel pendant le délai principal", "partie civile : intérêts civils seulement (art. 380-2 4°)"},
		Source: "En cas d'appel d'une partie pendant le délai de dix jours, les autres parties ont un délai supplémentaire de cinq jours.",
		Notes:  []string{"Même lecture que l'article 500 : les cinq jours s'ajoutent à la fin du délai principal.", noteRecod},
	},
	{
		ID: "pourvoi", Title: "Pourvoi en cassation",
		AppliesTo: "arrêt ou jugement rendu en dernier ressort (chambre des appels correctionnels, cour d'assises d'appel, chambre de l'instruction…), prononcé en présence de la partie ou après information de la date",
		Kind:      Limit, Refs: versions("568 al. 1"), Trigger: JudgmentDelivered,
		Duration: Duration{5, ClearDays}, Concerns: []Party{CivilParty, Defendant, Prosecutor},
		Limits: []string{"partie civile : dispositions civiles seulement (art. 567, selon REFERENCE.md)"},
		Source: "Le ministère public et toutes les parties ont cinq jours francs après celui où la décision attaquée a été prononcée pour se pourvoir en cassation.",
		Notes: []string{"Jours francs : ni le jour du prononcé ni celui de l'échéance ne comptent ; le pourvoi peut être formé pendant sept jours (Crim. 7 févr. 1989, n° 88-84.512 ; Crim. 13 janv. 2015 : arrêt du 5 juin, pourvoi du 12 juin tardif).",
			noteDistance, noteRecod},
	},
	{
		ID: "pourvoi-signification", Title: "Pourvoi en cassation, délai courant de la signification",
		AppliesTo: "arrêt prononcé hors la présence de la partie qui n'avait pas été informée de la date (art. 568 al. 2)",
		Kind:      Limit, Refs: versions("568 al. 2"), Trigger: JudgmentSignified,
		Duration: Duration{5, ClearDays}, Concerns: []Party{CivilParty, Defendant},
		Limits: []string{"partie civile : dispositions civiles seulement (art. 567, selon REFERENCE.md)"},
		Source: "Le délai de pourvoi ne court qu'à compter de la signification de l'arrêt pour la partie absente qui n'avait pas été informée de la date du prononcé.",
		Notes:  []string{noteNotified, noteDistance, noteRecod},
	},
	{
		ID: "ji-ordonnance", Title: "Appel d'une ordonnance du juge d'instruction (partie civile)",
		AppliesTo: "ordonnance du juge d'instruction que la partie civile peut frapper d'appel (non-lieu, refus d'informer, ordonnances faisant grief à ses intérêts civils : liste de l'article 186)",
		Kind:      Limit, Refs: versions("186 al. 4"), Trigger: OrdonnanceNotified,
		Duration: Duration{10, Days}, Concerns: []Party{CivilParty, PersonUnderInquiry},
		Source: "L'appel des parties est formé dans les dix jours qui suivent la notification ou la signification de la décision.",
		Notes:  []string{noteNotified, "Notification par lettre recommandée : quelle date fait courir le délai (envoi ou réception) n'est pas établi par REFERENCE.md — saisir la date retenue par le greffe et vérifier.", noteRecod},
	},
	{
		ID: "ji-refus-actes", Title: "Appel d'une ordonnance refusant un acte demandé (partie civile)",
		AppliesTo: "ordonnance du juge d'instruction refusant une demande d'acte, d'expertise ou de contre-expertise (liste de l'article 186-1)",
		Kind:      Limit, Refs: versions("186-1, 186 al. 4"), Trigger: OrdonnanceNotified,
		Duration: Duration{10, Days}, Concerns: []Party{CivilParty, PersonUnderInquiry},
		Source: "Les parties peuvent faire appel des ordonnances énumérées à l'article 186-1 ; l'appel est formé dans les dix jours de la notification (art. 186 al. 4).",
		Notes:  []string{noteNotified, noteRecod},
	},
	{
		ID: "afi-intention", Title: "Avis de fin d'information : déclarer son intention de formuler des observations ou demandes",
		AppliesTo: "avis de fin d'information (art. 175)",
		Kind:      Limit, Refs: versions("175 III-IV"), Trigger: AvisFinInformationSent,
		Duration: Duration{15, Days}, Concerns: []Party{CivilParty, PersonUnderInquiry},
		Source: "Les parties disposent de quinze jours à compter de l'envoi de l'avis pour faire connaître leur intention de présenter des observations ou des demandes.",
		Notes:  []string{note175, noteRecod},
	},
	{
		ID: "afi-observations-detenu", Title: "Avis de fin d'information : observations et demandes (personne détenue)",
		AppliesTo: "avis de fin d'information lorsqu'une personne mise en examen est détenue",
		Kind:      Limit, Refs: versions("175 III-IV"), Trigger: AvisFinInformationSent,
		Duration: Duration{1, Months}, Concerns: []Party{CivilParty, PersonUnderInquiry},
		Limits: []string{"seulement si l'intention a été déclarée dans les quinze jours"},
		Source: "Observations écrites et demandes dans le délai d'un mois si une personne mise en examen est détenue.",
		Notes:  []string{note175, noteRecod},
	},
	{
		ID: "afi-observations", Title: "Avis de fin d'information : observations et demandes",
		AppliesTo: "avis de fin d'information lorsqu'aucune personne mise en examen n'est détenue",
		Kind:      Limit, Refs: versions("175 III-IV"), Trigger: AvisFinInformationSent,
		Duration: Duration{3, Months}, Concerns: []Party{CivilParty, PersonUnderInquiry},
		Limits: []string{"seulement si l'intention a été déclarée dans les quinze jours"},
		Source: "Observations écrites et demandes dans le délai de trois mois dans les autres cas.",
		Notes:  []string{note175, noteRecod},
	},
	{
		ID: "afi-reponse-detenu", Title: "Avis de fin d'information : observations complémentaires (personne détenue)",
		AppliesTo: "réquisitions ou observations communiquées après l'avis de fin d'information, une personne mise en examen étant détenue",
		Kind:      Limit, Refs: versions("175 V"), Trigger: RequisitionsCommunicated,
		Duration: Duration{10, Days}, Concerns: []Party{CivilParty, PersonUnderInquiry},
		Source: "Les parties disposent ensuite de dix jours (personne détenue) pour répondre.",
		Notes:  []string{"Point de départ : REFERENCE.md ne le précise pas ; Égide compte de la date de communication des réquisitions ou observations saisie par le juriste — à vérifier.", note175, noteRecod},
	},
	{
		ID: "afi-reponse", Title: "Avis de fin d'information : observations complémentaires",
		AppliesTo: "réquisitions ou observations communiquées après l'avis de fin d'information, aucune personne détenue",
		Kind:      Limit, Refs: versions("175 V"), Trigger: RequisitionsCommunicated,
		Duration: Duration{1, Months}, Concerns: []Party{CivilParty, PersonUnderInquiry},
		Source: "Les parties disposent ensuite d'un mois dans les autres cas pour répondre.",
		Notes:  []string{"Point de départ : REFERENCE.md ne le précise pas ; Égide compte de la date de communication des réquisitions ou observations saisie par le juriste — à vérifier.", note175, noteRecod},
	},
	{
		ID: "cpc-apres-plainte", Title: "Plainte avec constitution de partie civile : trois mois après la plainte simple",
		AppliesTo: "plainte simple pour un délit restée sans réponse",
		Kind:      Opens, Refs: versions("85"), Trigger: ComplaintFiled,
		Duration: Duration{3, Months}, Concerns: []Party{Complainant, CivilParty},
		Limits: []string{"délits seulement : la condition ne s'applique pas aux crimes"},
		Source: "La plainte avec constitution de partie civile n'est recevable que si la personne justifie avoir déposé plainte et qu'un délai de trois mois s'est écoulé, ou que le procureur lui a fait connaître qu'il n'engagerait pas de poursuites.",
		Notes:  []string{"Date d'ouverture : le lendemain du jour où les trois mois sont écoulés (lecture prudente) ; pas de report (l'article 801 vise l'expiration d'un délai).", noteRecod},
	},
	{
		ID: "cpc-apres-refus", Title: "Plainte avec constitution de partie civile : après le refus du procureur",
		AppliesTo: "plainte simple pour un délit que le procureur a décidé de ne pas poursuivre",
		Kind:      Opens, Refs: versions("85"), Trigger: ProsecutorRefusal,
		Duration: Duration{0, Days}, Concerns: []Party{Complainant, CivilParty},
		Limits: []string{"délits seulement : la condition ne s'applique pas aux crimes"},
		Source: "La plainte avec constitution de partie civile est recevable dès que le procureur a fait connaître qu'il n'engagerait pas lui-même de poursuites.",
		Notes:  []string{"Recevable dès le jour où le refus est porté à la connaissance du plaignant (date saisie par le juriste).", noteRecod},
	},
	{
		ID: "prescription-crime", Title: "Prescription de l'action publique : crime",
		AppliesTo: "crime (hors crimes de l'article 706-47 commis sur un mineur)",
		Kind:      Prescription, Refs: versions("7"), Trigger: OffenceCommitted,
		Duration: Duration{20, Years}, Concerns: []Party{CivilParty, Prosecutor},
		Source: "L'action publique des crimes se prescrit par vingt années révolues à compter du jour où l'infraction a été commise.",
		Notes:  []string{noteNo801, noteTransit, noteRecod},
	},
	{
		ID: "prescription-crime-mineur", Title: "Prescription de l'action publique : crime de l'article 706-47 sur mineur",
		AppliesTo: "crime mentionné à l'article 706-47 commis sur un mineur",
		Kind:      Prescription, Refs: versions("7"), Trigger: VictimMajority,
		Duration: Duration{30, Years}, Concerns: []Party{CivilParty, Prosecutor},
		Source: "L'action publique des crimes de l'article 706-47 commis sur des mineurs se prescrit par trente années révolues à compter de la majorité de la victime (loi 2021-478).",
		Notes:  []string{"Calculé depuis la date de majorité, ou depuis l'âge au moment des faits (fourchette, la date la plus proche est retenue) ; jamais depuis une date de naissance.", note706_47, noteSliding, noteNo801, noteTransit, noteRecod},
	},
	{
		ID: "prescription-delit", Title: "Prescription de l'action publique : délit",
		AppliesTo: "délit (hors délits de l'article 706-47 commis sur un mineur)",
		Kind:      Prescription, Refs: versions("8"), Trigger: OffenceCommitted,
		Duration: Duration{6, Years}, Concerns: []Party{CivilParty, Prosecutor},
		Source: "L'action publique des délits se prescrit par six années révolues à compter du jour où l'infraction a été commise.",
		Notes:  []string{noteNo801, noteTransit, noteRecod},
	},
	{
		ID: "prescription-delit-mineur", Title: "Prescription de l'action publique : délit de l'article 706-47 sur mineur",
		AppliesTo: "délit mentionné à l'article 706-47 commis sur un mineur (hors 222-29-1 et 227-26)",
		Kind:      Prescription, Refs: versions("8"), Trigger: VictimMajority,
		Duration: Duration{10, Years}, Concerns: []Party{CivilParty, Prosecutor},
		Source: "L'action publique des délits de l'article 706-47 commis sur des mineurs se prescrit par dix années révolues à compter de leur majorité.",
		Notes:  []string{note706_47, noteSliding, noteNo801, noteTransit, noteRecod},
	},
	{
		ID: "prescription-delit-mineur-20", Title: "Prescription de l'action publique : délit des articles 222-29-1 ou 227-26 sur mineur",
		AppliesTo: "délit prévu par l'article 222-29-1 ou 227-26 du code pénal commis sur un mineur",
		Kind:      Prescription, Refs: versions("8"), Trigger: VictimMajority,
		Duration: Duration{20, Years}, Concerns: []Party{CivilParty, Prosecutor},
		Source: "L'action publique des délits prévus par les articles 222-29-1 et 227-26, commis sur des mineurs, se prescrit par vingt années révolues à compter de leur majorité.",
		Notes:  []string{noteSliding, noteNo801, noteTransit, noteRecod},
	},
	{
		ID: "opposition", Title: "Opposition à un jugement par défaut",
		AppliesTo: "jugement rendu par défaut, prévenu demeurant en France métropolitaine",
		Kind:      Limit, Refs: versions("491"), Trigger: JudgmentSignified,
		Duration: Duration{10, Days}, Concerns: []Party{Defendant},
		Limits: []string{"prévenu seulement"},
		Source: "L'opposition est recevable dans les dix jours de la signification du jugement par défaut.",
		Notes:  []string{"Pour information : la partie civile ne forme pas opposition, mais l'opposition du prévenu remet l'affaire en jeu.", noteRecod},
	},
	{
		ID: "opposition-hors-metropole", Title: "Opposition à un jugement par défaut (prévenu hors de France métropolitaine)",
		AppliesTo: "jugement rendu par défaut, prévenu demeurant hors de France métropolitaine",
		Kind:      Limit, Refs: versions("492"), Trigger: JudgmentSignified,
		Duration: Duration{1, Months}, Concerns: []Party{Defendant},
		Limits: []string{"prévenu seulement"},
		Source: "Le délai d'opposition est d'un mois lorsque le prévenu réside hors du territoire métropolitain.",
		Notes:  []string{noteRecod},
	},
	{
		ID: "manuel-conclusions", Title: "Date fixée pour le dépôt d'écritures",
		AppliesTo: "date fixée par la juridiction pour le dépôt de conclusions ou d'observations écrites",
		Kind:      Manual, Refs: []Ref{{Code: CPP}}, Trigger: DateSetByCourt,
		Duration: Duration{0, Days}, Concerns: []Party{CivilParty},
		Source: "Date fixée par la juridiction ; elle n'est pas calculée et n'est pas reportée.",
		Notes:  []string{"Pas d'article : la source est la décision ou le calendrier de la juridiction."},
	},
	{
		ID: "manuel-audience", Title: "Conclusions pour l'audience",
		AppliesTo: "conclusions de partie civile à déposer au plus tard à l'audience",
		Kind:      Manual, Refs: []Ref{{Code: CPP}}, Trigger: HearingDate,
		Duration: Duration{0, Days}, Concerns: []Party{CivilParty},
		Source: "La date est celle de l'audience ; elle n'est pas calculée et n'est pas reportée.",
		Notes:  []string{"Pas d'article : la source est la date d'audience fixée par la juridiction."},
	},
}

// Rules returns the catalogue, in a stable order (a copy: callers may not
// change it).
func Rules() []Rule {
	out := make([]Rule, len(catalogue))
	for i, r := range catalogue {
		out[i] = r.clone()
	}
	return out
}

func (r Rule) clone() Rule {
	r.Refs = slices.Clone(r.Refs)
	r.Concerns = slices.Clone(r.Concerns)
	r.Limits = slices.Clone(r.Limits)
	r.Notes = slices.Clone(r.Notes)
	return r
}

// Lookup returns the rule with id.
func Lookup(id string) (Rule, bool) {
	for _, r := range catalogue {
		if r.ID == id {
			return r.clone(), true
		}
	}
	return Rule{}, false
}

// DueByID is Due for the rule with id.
func DueByID(id string, trigger time.Time, opt Options) (Result, error) {
	r, ok := Lookup(id)
	if !ok {
		return Result{}, ErrUnknownRule
	}
	return Due(r, trigger, opt)
}
