/**
 * The FQL of the `send` action's default trigger, shared by the action, the destination's preset and the
 * local runner's embedded config: every track, identify, page, screen and group event (no alias, no delete).
 */
export const DEFAULT_SUBSCRIPTION =
  'type = "track" or type = "identify" or type = "page" or type = "screen" or type = "group"'
