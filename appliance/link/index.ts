export { type Inventory, LinkClient } from "./client.ts";
export { enroll } from "./enroll.ts";
export { type LinkState, readLinkState, writeLinkState } from "./state.ts";
