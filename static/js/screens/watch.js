// The remote viewer: what the room sees, for people following online, on any screen size.

import { startBoard } from "../lib/board.js";

startBoard("watch");
