// Where cargo writes its output for this checkout: CARGO_TARGET_DIR when set (relative to the
// checkout, as cargo reads it), else target/. The build and the tests read cargo's artifacts from
// here, so a CARGO_TARGET_DIR elsewhere never leaves them reading a stale copy under target/.
import path from 'node:path';

export function cargoTargetDir(root) {
  return process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, 'target');
}
