// The room display (projector, 1920x1080): the board, read from across the room.

import { startBoard } from "../lib/board.js";

startBoard("room");
