"""Version 1 of the democracy declaration, following the democracy conditions in DESIGN.md
(SOU 2019:35): published by the demo seeder, or on first need when nobody has published one."""

DECLARATION_SV = """Demokratiförklaring

Vi som företräder organisationen intygar att organisationen, och alla som företräder den – styrelseledamöter, anställda och ideella som agerar för organisationens räkning – i sin verksamhet:

1. står bakom den demokratiska rättsstatens principer, de mänskliga rättigheterna och jämställdhet mellan kvinnor och män;
2. inte utövar våld, tvång eller hot;
3. inte uppmanar eller uppmuntrar till våld, tvång eller hot, och inte försöker rättfärdiga sådana handlingar;
4. inte diskriminerar någon och inte på annat sätt kränker alla människors lika värde;
5. inte på annat sätt motverkar det demokratiska styrelseskicket;
6. inte ger stöd eller plattform åt andra aktörer som agerar på dessa sätt.

Vi känner till att staden kan avslå en ansökan, dra in beviljade bidrag och kräva tillbaka utbetalda pengar om organisationen eller någon som företräder den bryter mot dessa villkor. Innan ett sådant beslut fattas får organisationen veta skälen och möjlighet att yttra sig.

Vi förbinder oss att genast meddela staden om något av detta inte längre gäller."""

DECLARATION_EN = """Democracy declaration

We who represent the organisation declare that the organisation, and everyone who acts for it – board members, employees and volunteers acting on its behalf – within its activities:

1. stand behind the principles of the democratic rule of law, human rights and equality between women and men;
2. do not use violence, coercion or threats;
3. do not incite or encourage violence, coercion or threats, and do not try to justify such acts;
4. do not discriminate against anyone or otherwise violate the equal worth of all people;
5. do not otherwise act against the democratic form of government;
6. do not give support or a platform to other actors who act in these ways.

We know that the city may refuse an application, withdraw grants and claim back money paid if the organisation, or someone who represents it, breaks these conditions. Before such a decision the organisation is told the grounds and given the opportunity to reply.

We undertake to tell the city at once if any of this no longer holds."""
