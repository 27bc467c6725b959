// The hand-written French prose of docs/templates.md; render-docs.ts adds the generated parts.

export const DOC_INTRO = `# Modèles des messages envoyés par liquibot

> Page générée par \`npx tsx src/templates/render-docs.ts\` à partir du catalogue
> (\`src/templates/catalog.ts\`, \`src/templates/schemas.ts\`). Ne la modifiez pas à la main :
> un test vérifie qu'elle est à jour.

## Où sont les modèles

Chaque message a son dossier \`templates/<nom>/\` :

- \`subject.liquid\` : l'objet du message (une seule ligne) ;
- \`text.liquid\` : le texte du message, toujours envoyé ;
- \`html.liquid\` (facultatif) : une version HTML. Quand elle existe, le message part avec les
  deux versions (multipart/alternative) et la messagerie du destinataire choisit.

Messages : {{MAILS}}.

Les modèles livrés avec liquibot sont dans le dossier \`templates/\` du dépôt. Ne les modifiez pas
sur le serveur : ils sont remplacés à chaque mise à jour. Pour les personnaliser, deux moyens :

- **la console web** (« Modèles de mails », administrateurs ; voir \`docs/console.md\`) : chaque
  enregistrement est une nouvelle version, gardée en base de données avec son auteur et sa date ;
  on peut comparer les versions et revenir à une ancienne ;
- **des fichiers** : indiquez un dossier dans la variable d'environnement \`TEMPLATES_DIR\` et
  copiez-y ce que vous voulez changer, avec le même chemin, par exemple
  \`$TEMPLATES_DIR/reset-link/text.liquid\`.

Avec \`TEMPLATES_DIR\` :

- Chaque fichier absent de \`TEMPLATES_DIR\` est pris dans les modèles livrés, fichier par fichier.
  Si vous modifiez \`text.liquid\` d'un message qui a aussi un \`html.liquid\`, modifiez les deux :
  sinon la version HTML livrée continue de partir avec votre texte.
- Pour envoyer un message en texte seul, placez un \`html.liquid\` vide dans son dossier.
- Un dossier ou un fichier \`.liquid\` au nom inconnu est signalé par \`liquibot templates check\`
  (il serait ignoré).

### Quelle version est utilisée

Pour chaque partie d'un message (objet, texte, HTML), séparément, liquibot prend :

1. la **version enregistrée dans la console** (la plus récente de ce message), si elle contient
   cette partie ;
2. sinon le fichier de \`TEMPLATES_DIR\`, s'il existe ;
3. sinon le **modèle livré** (\`templates/\`).

La console enregistre seulement les parties que vous avez changées par rapport aux fichiers : une
partie laissée telle quelle continue de suivre \`TEMPLATES_DIR\` ou le modèle livré (et donc leurs
mises à jour). La liste « Modèles de mails » de la console montre l'origine de chaque partie :
« livré », « TEMPLATES_DIR » ou « console vN ». Pour revenir aux fichiers, utilisez « Revenir aux
fichiers » dans les versions du message (une nouvelle version sans aucune partie).

Toutes les instances de liquibot qui partagent la base utilisent la même version : chacune vérifie
toutes les 2 secondes si une nouvelle version a été enregistrée (celle où l'enregistrement a été fait
la prend aussitôt). Une version est vérifiée avant d'être enregistrée ; si une version en base
devenait invalide (modifiée hors de la console, ou des fichiers changés sous une partie qu'elle ne
contient pas), elle est refusée comme un fichier invalide : la dernière version valide reste en
service, et les administrateurs sont prévenus (message « Modèle de message refusé »).

## Prise en compte d'une modification

liquibot surveille \`TEMPLATES_DIR\`. Un modèle modifié est vérifié avant d'être utilisé :

- s'il est valide, il sert dès le message suivant ;
- sinon il est refusé : la dernière version valide reste en service, et les administrateurs sont
  prévenus une fois par version refusée (message « Modèle de message refusé », avec les erreurs).

Au démarrage, un modèle personnalisé invalide est remplacé par la version livrée, et signalé de la
même façon. Chaque message envoyé garde la trace du modèle et de sa version (les 12 premiers
caractères de l'empreinte SHA-256 de ses fichiers).

Commandes utiles :

- \`liquibot templates check\` : vérifie tous les modèles (ceux de \`TEMPLATES_DIR\` et les modèles
  livrés, et, quand \`DATABASE_URL\` est indiquée, les versions de la console en service, par-dessus
  les fichiers) ; \`liquibot templates check --dir /ma/copie\` vérifie une copie de travail avant de la
  mettre en place. Chaque problème est affiché sous la forme \`fichier:ligne:colonne message\` (pour
  une version de la console : \`database:reset-link@v3/text.liquid:2:5 …\`).
- \`liquibot templates preview reset-link\` : affiche le message avec des données d'exemple et écrit
  \`preview/reset-link.eml\` (à ouvrir avec une messagerie) et \`preview/reset-link.html\` ; avec
  \`DATABASE_URL\`, le message est celui qui part : la version de la console en service par-dessus les
  fichiers.
- \`liquibot templates vars [NOM]\` : la liste des variables, comme ci-dessous.

## Syntaxe autorisée

Les modèles sont écrits en Liquid (moteur liquidjs), en mode strict.

- Afficher une valeur : \`{{ ticketRef }}\`, \`{{ requester.email }}\`, avec des filtres :
  \`{{ siret | format_siret }}\`.
- Balises autorisées : \`if\` / \`elsif\` / \`else\`, \`unless\`, \`case\` / \`when\` / \`else\`,
  \`for\` / \`else\` (avec \`forloop.index\`, \`forloop.first\`, \`forloop.last\`, \`limit\`, \`offset\`,
  \`reversed\`), \`break\`, \`continue\`, \`assign\`, \`capture\`, \`comment\`, \`{% # commentaire %}\`,
  \`raw\`, \`echo\`, \`liquid\`, \`cycle\`, \`increment\`, \`decrement\`, \`tablerow\`.
- Balises interdites : \`include\`, \`render\`, \`layout\`. Un modèle ne lit jamais d'autre fichier ;
  un modèle qui les contient est refusé.
- Filtres : ceux de Liquid (\`default\`, \`upcase\`, \`downcase\`, \`capitalize\`, \`date\`, \`size\`,
  \`join\`, \`replace\`, \`truncate\`, \`strip\`, \`append\`, \`prepend\`, …) et deux filtres propres à
  liquibot :
  - \`format_siret\` : \`{{ "73282932000074" | format_siret }}\` donne \`732 829 320 00074\`
    (un SIREN de 9 chiffres donne \`732 829 320\`) ;
  - \`siren\` : \`{{ "73282932000074" | siren }}\` donne \`732829320\`.
  Un filtre inconnu est une erreur. \`url_decode\` et \`base64_decode\` n'existent pas : ils
  pourraient refaire des retours à la ligne à partir d'une donnée reçue (\`%0A\`).
- Variables : seules celles listées plus bas existent pour chaque message. Une variable inconnue est
  une erreur, même dans une branche rarement utilisée. Les variables « ou null » peuvent être
  vides : testez-les (\`{% if administratorName %}…{% endif %}\`) ou donnez une valeur de secours
  (\`{{ requester.name | default: requester.email }}\`). Les listes s'utilisent avec \`for\` et
  \`size\` : \`{% if warnings.size > 0 %}\`.
- Codes : comparez-les entre guillemets, par exemple \`{% case problem.code %}{% when "SIRET_MISSING" %}…\`.
- Dates : affichées à l'heure de Paris (variable \`TIMEZONE\`), avec le filtre \`date\` :
  \`{{ receivedAt | date: "%d/%m/%Y à %H:%M" }}\` donne \`26/11/2026 à 14:48\`. Codes utiles :
  \`%d\` jour, \`%m\` mois, \`%Y\` année, \`%H\` heure, \`%M\` minutes, \`%A\` jour de la semaine
  (jeudi), \`%B\` mois en lettres (novembre). Sans format : \`%d/%m/%Y %H:%M\`.
- Espaces : \`{%-\` / \`-%}\` (et \`{{-\` / \`-}}\`) suppriment les espaces et le retour à la ligne
  qui précèdent / suivent la balise.

### Ce que liquibot fait au rendu

- \`subject.liquid\` : l'objet est mis sur une ligne : retours à la ligne et caractères de contrôle
  deviennent des espaces, les espaces répétés sont réduits. Une donnée ne peut donc jamais ajouter
  d'en-tête au message.
- \`text.liquid\` : texte brut, les valeurs sont reproduites sans échappement (les données reçues
  sont déjà nettoyées : voir « Données reçues » ci-dessous). Les espaces en fin de
  ligne sont supprimés, plusieurs lignes vides de suite n'en font qu'une, le début et la fin sont
  nettoyés : une balise seule sur sa ligne ne laisse pas de trou.
- \`html.liquid\` : toute valeur affichée avec \`{{ }}\` est échappée (\`<\` devient \`&lt;\`, etc.)
  et le filtre \`raw\` n'existe pas : une donnée ne devient jamais du HTML. N'ajoutez pas
  \`| escape\` (le texte serait échappé deux fois). Pour garder les retours à la ligne d'une donnée
  (un motif de refus, par exemple), utilisez le style \`white-space: pre-line\`.
- Les données ne sont jamais interprétées comme du Liquid : un motif qui contient \`{{ 7*7 }}\` ou
  \`{% include '…' %}\` est affiché tel quel.

### Données reçues : toujours affichées comme des données

Une partie des variables vient de l'extérieur de liquibot : le nom affiché et l'adresse de
l'expéditeur d'un message, son objet, les noms des pièces jointes, l'adresse du liquidateur, ce qui a
été trouvé dans la demande, le nom d'un agent et la première ligne de sa réponse, le motif d'un refus,
la réponse d'un serveur distant, le nom de l'administrateur (fichier des comptes importé), les erreurs
d'un modèle refusé. Les points d'attention en font partie : liquibot les rédige, mais ils citent des
valeurs reçues. Celui qui envoie un message choisit ces valeurs : un nom peut contenir des retours à
la ligne qui imitent une ligne du message (« Points d'attention : aucun »), des caractères invisibles
ou d'inversion du sens d'écriture qui déguisent une adresse, ou des milliers de caractères.

Ces variables sont indiquées « texte reçu » ou « adresse reçue » dans les tableaux ci-dessous.
liquibot les nettoie avant que le modèle ne les voie, pour tous les modèles, livrés ou
personnalisés, sans rien à écrire dans le modèle :

- elles restent sur une seule ligne : chaque retour à la ligne (CR, LF, et aussi U+0085, U+2028,
  U+2029, tabulation verticale, saut de page) est remplacé par le signe \` ↵ \`, visible exprès : un
  nom ou un nom de fichier honnête n'en contient jamais, l'agent voit donc la tentative ;
- les caractères de contrôle (NUL, ESC, …) sont supprimés ; tabulations et espaces répétées
  deviennent une espace ;
- les caractères invisibles sont remplacés par \`\uFFFD\` : contrôles du sens d'écriture
  (U+202A à U+202E, U+2066 à U+2069, U+200E, U+200F, U+061C), espaces et liants de largeur nulle
  (U+200B à U+200D, U+2060, U+FEFF) et les autres caractères de mise en forme invisibles. Ils
  ne sont pas simplement supprimés : une adresse qui en contient ne doit pas ressembler à
  l'adresse authentique ;
- au plus quatre accents empilés sur une même lettre ;
- la longueur est bornée (indiquée dans le tableau, par exemple 120 caractères pour un nom) : une
  valeur plus longue est coupée et se termine par \`…\` ;
- dans \`html.liquid\`, elles sont en plus échappées, comme toute valeur.

Le motif d'un refus (\`reason\`, « texte reçu, lignes gardées ») garde ses retours à la ligne : un
agent l'écrit parfois sur plusieurs lignes, et il est envoyé au demandeur. Le reste du nettoyage
s'applique. Une adresse reçue qui, nettoyée, n'a pas la forme d'une adresse (espace, \`<\`, \`>\`,
pas de \`@\`) empêche l'envoi du message : il ne part jamais avec une adresse douteuse.

Les autres variables de texte (« texte produit par liquibot ») sont écrites par liquibot lui-même,
dans un format strict : la référence du dossier, un SIRET vérifié (14 chiffres), le lien de création du mot de
passe, le jeton de validation, les liens \`mailto:\` construits par liquibot, le libellé d'un
contrôle, le nom et la version d'un modèle. liquibot refuse de démarrer, et
\`liquibot templates check\` signale une erreur, si une variable de texte du catalogue n'est ni une
donnée reçue ni une valeur produite par liquibot.

### Limites

Un fichier fait au plus {{PARSE_LIMIT}} caractères ; le rendu d'un fichier dure au plus
{{RENDER_LIMIT}} ms ; la mémoire utilisée est bornée ({{MEMORY_LIMIT}} unités).
Un modèle qui dépasse ces limites (par exemple \`{% for i in (1..100000000) %}\`) est refusé.

### Vérifications faites avant d'utiliser un modèle

1. la syntaxe Liquid (balises fermées, expressions correctes) ;
2. l'absence de balise interdite et de filtre inconnu ;
3. chaque variable utilisée existe pour ce message, dans toutes les branches ;
4. les variables obligatoires sont utilisées (par exemple \`link\` et \`validityHours\` dans
   \`reset-link\`, en texte et en HTML) ;
5. le message se rend sans erreur dans chacune des situations où il est envoyé (listées pour chaque
   message ci-dessous : par exemple \`non-conformity\` avec chaque problème seul et avec tous les
   problèmes, \`reset-link\` avec et sans nom d'administrateur) ;
6. chaque variable de texte du message est une donnée reçue (nettoyée) ou une valeur produite par
   liquibot (voir « Données reçues »).
`;

export const DOC_ERRORS = `## Messages d'erreur

Les messages de \`liquibot templates check\` (et du message « Modèle de message refusé ») sont en
anglais ; les plus courants :

| Message | Signification |
| --- | --- |
| \`unknown variable "x" (known: …)\` | La variable \`x\` n'existe pas pour ce message : vérifiez l'orthographe dans le tableau du message. |
| \`unknown variable "p.cod" (not a field of the items of "problems")\` | Le champ n'existe pas dans les éléments de la liste parcourue par \`for\`. |
| \`undefined filter: xyz\` | Le filtre \`xyz\` n'existe pas. |
| \`tag "include" is not allowed in mail templates …\` | \`include\`, \`render\` et \`layout\` sont interdits. |
| \`tag {% if x %} not closed\` | Il manque la balise de fin (\`{% endif %}\`, \`{% endfor %}\`, …). |
| \`required variable "link" is not used in text.liquid\` | Ce fichier doit utiliser cette variable. |
| \`missing file text.liquid\` | \`subject.liquid\` et \`text.liquid\` sont obligatoires (ici ni dans \`TEMPLATES_DIR\` ni dans les modèles livrés). |
| \`when rendering state "…": …\` | Le rendu échoue dans cette situation (par exemple un champ d'une liste absent). |
| \`template render limit exceeded\`, \`memory alloc limit exceeded\` | Le modèle dépasse les limites (boucle trop longue). |
| \`unknown template folder "…"\`, \`unknown template file "…"\` | Nom de dossier ou de fichier inconnu : il serait ignoré. |
| \`variable "x" is text that is neither mail data … nor declared trusted\` | Erreur de développement dans \`src/templates/schemas.ts\`, pas dans votre modèle : une variable ajoutée au catalogue n'est déclarée ni donnée reçue ni valeur produite par liquibot. Le message ne peut pas être envoyé tant que ce n'est pas corrigé. |
`;
