// The MPServerless-compatible client facade (issue: MPServerless client). Placeholder until implemented.
export class MPServerless {
  constructor() {
    throw new Error('MPServerless is not implemented yet');
  }
}
