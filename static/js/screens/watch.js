// The remote viewer: what the room sees, for people following online, on any screen size,
// with the pre-recorded statements of virtual sessions played in step.

import { startBoard } from "../lib/board.js";
import { startVideo } from "../lib/video.js";

startVideo(startBoard("watch"));
