// Metadata keys a `gradmesh train --save` checkpoint adds to the checkpoint format's
// own (META_KEYS): written by the train command, read back by `gradmesh export`.
/** Extra metadata a `gradmesh train --save` checkpoint carries (not part of the checkpoint format proper). */
export const TRAIN_META_KEYS = {
  source: 'gradmesh.source',
  runName: 'gradmesh.runName',
  steps: 'gradmesh.steps',
  tokensSeen: 'gradmesh.tokensSeen',
  heldOutLoss: 'gradmesh.heldOutLoss',
} as const;
