// The room display (projector, 1920x1080): the board, read from across the room, with the
// pre-recorded statements of virtual sessions played in step.

import { startBoard } from "../lib/board.js";
import { startVideo } from "../lib/video.js";

startVideo(startBoard("room"));
