// The Authing-compatible client facade (issue: Authing client). Placeholder until implemented.
export class Authing {
  constructor() {
    throw new Error('Authing is not implemented yet');
  }
}
