// The class page (templates/simulator/class.html): its roster kept live, its buttons that ask first.

import { confirmSubmits, keepRosterLive } from "./page/classroom.js";

confirmSubmits(document);
keepRosterLive(document.getElementById("roster"));
