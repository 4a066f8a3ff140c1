package demo

// Constant tables the generator draws from. Everything here is fictional:
// no title, pseudonym or summary names a real person, platform or case.

// Themes, in the order dossiers cycle through them.
var themes = []string{"live_streaming", "grooming", "sextortion", "abuse_images", "trafficking", "child_prostitution"}

// secondThemes gives, per theme, the themes that often come with it.
var secondThemes = map[string][]string{
	"live_streaming":     {"abuse_images", "trafficking"},
	"grooming":           {"sextortion", "abuse_images"},
	"sextortion":         {"abuse_images", "grooming"},
	"abuse_images":       {"grooming", "live_streaming"},
	"trafficking":        {"child_prostitution"},
	"child_prostitution": {"trafficking", "grooming"},
}

// chargeT is a charge as first or later qualified.
type chargeT struct {
	article       string
	wording       string
	aggravating   []string
	participation string
}

// requalT is a requalification history for the main defendant: from is
// retained by the prosecutor, to by the investigating judge (or the trial
// court when there was no investigation), third by the trial court.
type requalT struct {
	role        string
	from, to    chargeT
	reason      string
	third       *chargeT
	thirdReason string
}

// themeSpec is what a dossier's main theme decides.
type themeSpec struct {
	titles    []string
	summaries []string // {platform} {country} {city} {victims}
	platforms []string
	countries []string // where victims live, most frequent first
	roles     []string // defendants' roles, the main defendant's first
	charges   map[string]chargeT
	requals   []requalT
}

const (
	ecomm = "par un réseau de communications électroniques"
	under = "sur mineur de quinze ans"
)

var specs = map[string]themeSpec{
	"live_streaming": {
		titles: []string{
			"Diffusion en direct d'abus commandités depuis la France — plateforme de visioconférence",
			"Abus sexuels sur mineurs commandés et diffusés en direct contre rémunération",
			"Commande d'abus en direct auprès d'intermédiaires à l'étranger",
			"Sessions de streaming d'abus payées par transferts d'argent",
		},
		summaries: []string{
			"Un résident français est soupçonné d'avoir commandé et rémunéré, via {platform}, des abus sexuels sur des mineurs commis à l'étranger ({country}) et diffusés en direct. L'analyse des transferts d'argent a permis d'identifier {victims}. Faits fictifs, données de démonstration.",
			"Des sessions d'abus diffusées en direct sur {platform} ont été commandées depuis la France contre paiement. La coopération avec les autorités ({country}) a permis de mettre à l'abri {victims}. Faits fictifs, données de démonstration.",
		},
		platforms: []string{"plateforme de visioconférence", "plateforme de streaming B", "service de transfert d'argent en ligne", "messagerie chiffrée"},
		countries: []string{"PH", "PH", "PH", "RO"},
		roles:     []string{"client", "facilitator", "abuser"},
		charges: map[string]chargeT{
			"client":      {"227-23", "Consultation habituelle et détention d'images pornographiques de mineurs", []string{ecomm}, "author"},
			"facilitator": {"225-4-1", "Traite de mineurs en vue de leur exploitation sexuelle", []string{"à l'égard de mineurs"}, "author"},
			"abuser":      {"222-23", "Viols sur mineurs", []string{under}, "author"},
		},
		requals: []requalT{{
			role:   "client",
			from:   chargeT{"227-23", "Détention et consultation d'images pornographiques de mineurs", []string{ecomm}, "author"},
			to:     chargeT{"222-23", "Complicité de viols sur mineurs de quinze ans par instructions données (art. 121-7 et 222-23 C. pén.)", []string{under}, "accomplice"},
			reason: "Commande d'un abus diffusé en direct : l'instigateur qui donne des instructions et rémunère est complice des viols commis à sa demande",
			third: &chargeT{"222-29-1", "Complicité d'agressions sexuelles sur mineurs de quinze ans (art. 121-7 et 222-29-1 C. pén.)",
				[]string{under}, "accomplice"},
			thirdReason: "Pénétration non établie par les débats pour une partie des sessions : requalification en complicité d'agression sexuelle",
		}, {
			role:   "client",
			from:   chargeT{"227-23", "Consultation habituelle d'images pornographiques de mineurs", []string{ecomm}, "author"},
			to:     chargeT{"121-7", "Complicité (art. 121-7 C. pén.) d'agressions sexuelles sur mineurs de quinze ans (art. 222-29-1)", []string{under}, "accomplice"},
			reason: "Les échanges saisis montrent que les abus ont été commandés et dirigés en direct : complicité par instructions",
		}},
	},
	"grooming": {
		titles: []string{
			"Sollicitations sexuelles de mineurs via un jeu en ligne",
			"Propositions sexuelles à des collégiens sur un réseau social",
			"Pédopiégeage sur messagerie instantanée — plusieurs victimes",
		},
		summaries: []string{
			"Un majeur se présentant comme adolescent a contacté plusieurs mineurs sur {platform} et leur a adressé des propositions sexuelles. Les échanges, signalés par un parent, ont été transmis aux enquêteurs de {city}, qui ont entendu {victims}. Faits fictifs, données de démonstration.",
			"Sur {platform}, un compte ciblait des enfants de 11 à 14 ans pour obtenir des images intimes puis une rencontre. L'enquête a identifié {victims}. Faits fictifs, données de démonstration.",
		},
		platforms: []string{"réseau social A", "jeu en ligne C", "messagerie instantanée D", "messagerie chiffrée"},
		countries: []string{"FR", "FR", "FR", "BE"},
		roles:     []string{"other", "abuser"},
		charges: map[string]chargeT{
			"other":  {"227-22-1", "Propositions sexuelles à un mineur de quinze ans par un moyen de communication électronique", nil, "author"},
			"abuser": {"227-25", "Atteinte sexuelle sur mineur de quinze ans", nil, "author"},
		},
		requals: []requalT{{
			role:   "other",
			from:   chargeT{"227-22-1", "Propositions sexuelles à un mineur de quinze ans par un moyen de communication électronique", nil, "author"},
			to:     chargeT{"227-23-1", "Sollicitation de contenus à caractère sexuel auprès de mineurs", []string{ecomm}, "author"},
			reason: "Les échanges établissent la demande et l'obtention d'images à caractère sexuel",
			third: &chargeT{"227-22-2", "Incitation d'un mineur à commettre des actes de nature sexuelle sur lui-même par un moyen de communication électronique",
				[]string{ecomm}, "author"},
			thirdReason: "Les débats établissent l'incitation à des actes sur elle-même, au-delà de la sollicitation d'images",
		}},
	},
	"sextortion": {
		titles: []string{
			"Chantage à la diffusion d'images intimes de mineurs — réseau social A",
			"Sextorsion de mineurs au moyen de faux profils",
			"Extorsion d'images à caractère sexuel sous la menace de leur diffusion",
		},
		summaries: []string{
			"Plusieurs mineurs contactés sur {platform} par de faux profils ont été incités à envoyer des images intimes, puis menacés de leur diffusion faute de paiement. Les fonds transitaient vers un compte ouvert à l'étranger ({country}) ; l'enquête a identifié {victims}. Faits fictifs, données de démonstration.",
			"Un réseau exigeait de mineurs de nouvelles images sous la menace de publier les premières sur {platform}. Les signalements reçus à {city} ont permis d'identifier {victims}. Faits fictifs, données de démonstration.",
		},
		platforms: []string{"réseau social A", "messagerie éphémère H", "plateforme de streaming B"},
		countries: []string{"FR", "FR", "BE", "CI"},
		roles:     []string{"other", "distributor"},
		charges: map[string]chargeT{
			"other":       {"312-10", "Chantage en vue d'obtenir des fonds", nil, "author"},
			"distributor": {"227-23", "Diffusion d'images pornographiques de mineurs", []string{ecomm}, "author"},
		},
		requals: []requalT{{
			role:   "other",
			from:   chargeT{"312-10", "Chantage en vue d'obtenir des fonds et des images", nil, "author"},
			to:     chargeT{"227-22-2", "Incitation de mineurs à commettre des actes de nature sexuelle sur eux-mêmes par un moyen de communication électronique", []string{ecomm}, "author"},
			reason: "Les menaces visaient à obtenir des actes sexuels des mineurs sur eux-mêmes, et non seulement des fonds",
			third: &chargeT{"227-23-1", "Sollicitation de contenus à caractère sexuel auprès de mineurs, sous la menace",
				[]string{ecomm}, "author"},
			thirdReason: "Qualification retenue par le tribunal comme la plus exacte au vu des faits établis à l'audience",
		}},
	},
	"abuse_images": {
		titles: []string{
			"Partage d'images d'abus sur un forum du darkweb",
			"Détention et diffusion d'images pédocriminelles via un service d'hébergement",
			"Échanges d'images d'abus sur messagerie chiffrée — groupe fermé",
		},
		summaries: []string{
			"Un signalement à PHAROS a conduit à l'identification d'un compte partageant des images d'abus sexuels sur mineurs sur {platform}. La perquisition conduite à {city} a permis la saisie de supports contenant plusieurs milliers de fichiers ; l'expertise a permis d'identifier {victims}. Faits fictifs, données de démonstration.",
			"Un groupe fermé sur {platform} échangeait des images d'abus. L'expertise des supports saisis a permis d'identifier {victims}. Faits fictifs, données de démonstration.",
		},
		platforms: []string{"forum du darkweb", "service d'hébergement de fichiers E", "messagerie chiffrée", "réseau social A"},
		countries: []string{"FR", "FR", "BE", "RO"},
		roles:     []string{"distributor", "other"},
		charges: map[string]chargeT{
			"distributor": {"227-23", "Diffusion d'images pornographiques de mineurs", []string{ecomm}, "author"},
			"other":       {"227-23", "Détention et consultation habituelle d'images pornographiques de mineurs", []string{ecomm}, "author"},
		},
		requals: []requalT{{
			role:   "distributor",
			from:   chargeT{"227-23", "Détention d'images pornographiques de mineurs", nil, "author"},
			to:     chargeT{"227-23", "Diffusion d'images pornographiques de mineurs en bande organisée", []string{ecomm, "en bande organisée"}, "author"},
			reason: "L'expertise du matériel établit la mise à disposition des fichiers au sein d'un groupe organisé",
			third: &chargeT{"222-29-1", "Agressions sexuelles sur mineur de quinze ans", []string{under},
				"author"},
			thirdReason: "Le prévenu est identifié comme l'auteur des prises de vue et des abus qu'elles montrent",
		}},
	},
	"trafficking": {
		titles: []string{
			"Traite de mineures recrutées à l'étranger et exploitées en France",
			"Réseau d'exploitation de mineurs non accompagnés",
			"Recrutement de mineures par annonces en ligne et hébergement en appartements",
		},
		summaries: []string{
			"Des mineures recrutées à l'étranger ({country}) par de fausses promesses d'emploi ont été hébergées dans des appartements loués à {city} et contraintes à des actes sexuels tarifés annoncés sur {platform}. L'enquête a mis au jour un réseau structuré et permis de mettre à l'abri {victims}. Faits fictifs, données de démonstration.",
			"Un réseau acheminait des mineurs non accompagnés vers {city} et les exploitait sexuellement au moyen d'annonces publiées sur {platform}. L'enquête a identifié {victims}. Faits fictifs, données de démonstration.",
		},
		platforms: []string{"site d'annonces F", "réseau social A", "messagerie chiffrée"},
		countries: []string{"RO", "RO", "BG", "CI", "MA"},
		roles:     []string{"recruiter", "facilitator", "client"},
		charges: map[string]chargeT{
			"recruiter":   {"225-4-1", "Traite de mineurs en vue de leur exploitation sexuelle", []string{"à l'égard de mineurs"}, "author"},
			"facilitator": {"225-7", "Proxénétisme aggravé à l'égard de mineurs", []string{"à l'égard d'un mineur"}, "co_author"},
			"client":      {"225-12-1", "Recours à la prostitution d'un mineur", nil, "author"},
		},
		requals: []requalT{{
			role:   "recruiter",
			from:   chargeT{"225-5", "Proxénétisme", nil, "author"},
			to:     chargeT{"225-4-1", "Traite de mineurs en vue de leur exploitation sexuelle", []string{"à l'égard de mineurs"}, "author"},
			reason: "Recrutement, transport et hébergement des victimes en vue de leur exploitation établis par l'information",
			third: &chargeT{"225-4-2", "Traite de mineurs en bande organisée", []string{"à l'égard de mineurs", "en bande organisée"},
				"author"},
			thirdReason: "Bande organisée caractérisée à l'audience (répartition des rôles, logistique commune)",
		}},
	},
	"child_prostitution": {
		titles: []string{
			"Recours à la prostitution de mineures via un site d'annonces",
			"Proxénétisme de mineures en hôtels — annonces en ligne",
			"Mise en relation de clients avec des mineures par une application de rencontre",
		},
		summaries: []string{
			"Des annonces publiées sur {platform} proposaient des rencontres tarifées avec des mineures hébergées dans des hôtels de {city}. L'exploitation des téléphones saisis a permis d'identifier plusieurs clients et {victims}. Faits fictifs, données de démonstration.",
			"Des rencontres tarifées avec des mineures étaient proposées à des clients via {platform}. L'enquête a identifié {victims}. Faits fictifs, données de démonstration.",
		},
		platforms: []string{"site d'annonces F", "application de rencontre G", "messagerie instantanée D"},
		countries: []string{"FR", "FR", "FR", "MA"},
		roles:     []string{"facilitator", "client"},
		charges: map[string]chargeT{
			"facilitator": {"225-7", "Proxénétisme aggravé à l'égard de mineurs", []string{"à l'égard d'un mineur"}, "author"},
			"client":      {"225-12-1", "Recours à la prostitution d'un mineur", nil, "author"},
		},
		requals: []requalT{{
			role:   "client",
			from:   chargeT{"227-25", "Atteinte sexuelle sur mineur de quinze ans", nil, "author"},
			to:     chargeT{"225-12-1", "Recours à la prostitution d'un mineur", nil, "author"},
			reason: "Le caractère tarifé de la relation est établi : recours à la prostitution d'un mineur",
			third: &chargeT{"225-12-2", "Recours à la prostitution d'un mineur de quinze ans", []string{"mineur de quinze ans"},
				"author"},
			thirdReason: "L'âge de la victime, inférieur à quinze ans au moment des faits, est établi",
		}, {
			role:   "facilitator",
			from:   chargeT{"225-7", "Proxénétisme aggravé à l'égard de mineurs", []string{"à l'égard d'un mineur"}, "author"},
			to:     chargeT{"225-7-1", "Proxénétisme à l'égard de mineurs de quinze ans", []string{"à l'égard d'un mineur de quinze ans"}, "author"},
			reason: "L'information établit que deux des victimes avaient moins de quinze ans : la qualification criminelle s'impose",
		}},
	},
}

// platformPhrases name platforms in summaries, with their article.
var platformPhrases = map[string]string{
	"plateforme de visioconférence":          "une plateforme de visioconférence",
	"plateforme de streaming B":              "la plateforme de streaming B",
	"service de transfert d'argent en ligne": "un service de transfert d'argent en ligne",
	"messagerie chiffrée":                    "une messagerie chiffrée",
	"réseau social A":                        "le réseau social A",
	"jeu en ligne C":                         "le jeu en ligne C",
	"messagerie instantanée D":               "la messagerie instantanée D",
	"service d'hébergement de fichiers E":    "le service d'hébergement de fichiers E",
	"site d'annonces F":                      "le site d'annonces F",
	"application de rencontre G":             "l'application de rencontre G",
	"messagerie éphémère H":                  "la messagerie éphémère H",
	"forum du darkweb":                       "un forum du darkweb",
}

// articleVersions: the version date of the article text cited.
var articleVersions = map[string]string{
	"121-7": "2004-03-10", "222-23": "2021-04-23", "222-29-1": "2021-04-23", "225-4-1": "2013-08-07",
	"225-4-2": "2013-08-07", "225-5": "2016-04-15", "225-7": "2016-04-15", "225-12-1": "2021-04-23",
	"225-12-2": "2021-04-23", "227-22-1": "2021-04-23", "227-22-2": "2021-04-23", "227-23": "2021-04-23",
	"227-23-1": "2021-04-23", "227-25": "2021-04-23", "312-10": "2002-03-05",
}

// city is a court's seat with what proceedings there are named after.
type city struct {
	name        string // "Paris": Tribunal judiciaire de Paris
	dept        string // "de Paris": Cour criminelle départementale de Paris
	appeal      string // seat of the cour d'appel
	assisesAppl string // cour d'assises hearing appeals from this one
}

var cities = []city{
	{"Paris", "de Paris", "Paris", "Cour d'assises du Val-de-Marne statuant en appel"},
	{"Paris", "de Paris", "Paris", "Cour d'assises de l'Essonne statuant en appel"},
	{"Paris", "de Paris", "Paris", "Cour d'assises de Seine-et-Marne statuant en appel"},
	{"Lyon", "du Rhône", "Lyon", "Cour d'assises de l'Ain statuant en appel"},
	{"Marseille", "des Bouches-du-Rhône", "Aix-en-Provence", "Cour d'assises du Var statuant en appel"},
	{"Lille", "du Nord", "Douai", "Cour d'assises du Pas-de-Calais statuant en appel"},
	{"Bordeaux", "de la Gironde", "Bordeaux", "Cour d'assises de la Dordogne statuant en appel"},
	{"Toulouse", "de la Haute-Garonne", "Toulouse", "Cour d'assises du Tarn statuant en appel"},
	{"Nantes", "de la Loire-Atlantique", "Rennes", "Cour d'assises d'Ille-et-Vilaine statuant en appel"},
	{"Strasbourg", "du Bas-Rhin", "Colmar", "Cour d'assises du Haut-Rhin statuant en appel"},
	{"Montpellier", "de l'Hérault", "Montpellier", "Cour d'assises du Gard statuant en appel"},
	{"Nanterre", "des Hauts-de-Seine", "Versailles", "Cour d'assises des Yvelines statuant en appel"},
	{"Bobigny", "de la Seine-Saint-Denis", "Paris", "Cour d'assises de Paris statuant en appel"},
	{"Créteil", "du Val-de-Marne", "Paris", "Cour d'assises de Paris statuant en appel"},
}

var (
	parquetSections  = []string{"Section des mineurs", "Section de lutte contre la cybercriminalité", "Section de la criminalité organisée"}
	tcChambers       = []string{"10e chambre correctionnelle", "15e chambre correctionnelle", "16e chambre correctionnelle", "6e chambre correctionnelle"}
	appealChambers   = []string{"Chambre des appels correctionnels", "Chambre des appels correctionnels, 2e section", "Pôle 4 — chambre 10"}
	courtRooms       = []string{"Salle 2.07", "Salle 2.11", "Salle 3.01", "Salle 4.12", "Salle 1.14", "Salle d'audience n° 5"}
	victimPseudonyms = []string{"Lina", "Noa", "Sami", "Eli", "Maé", "Tia", "Ilo", "Nour", "Alix", "Yaël", "Kim", "Sacha", "Joy", "Lou", "Rayan", "Inès"}
	letters          = "ABCDEFGH"
)

var closingReasons = map[string]string{
	"preliminary_inquiry": "Classement sans suite (auteur non identifié) — dossier clos",
	"trial":               "Jugement devenu définitif ; dommages et intérêts versés à l'association",
	"appeal":              "Arrêt de la cour d'appel devenu définitif, aucun pourvoi formé",
}

var cancelReasons = []string{
	"Indisponibilité de l'interprète",
	"Audience déplacée pour encombrement du rôle",
	"Mouvement social des greffes",
	"Extraction du prévenu détenu impossible",
}

var adjournmentNotes = []string{
	"Renvoi ordonné à la demande de la défense ; nouvelle date fixée",
	"Renvoi pour citation régulière d'un prévenu",
	"Renvoi dans l'attente du rapport d'expertise psychologique",
}

var consentScopes = []string{
	"Constitution de partie civile de l'association (art. 2-22 CPP), toutes instances",
	"Constitution de partie civile de l'association (art. 2-22 CPP) devant le tribunal",
}
