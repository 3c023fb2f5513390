// What is wrong with an XML upload, as a code and a sentence without a value. Its own file: the
// web role tells an upload's kind with it without loading the XML reader (saxes) at start.
export class XmlProblem extends Error {
  constructor(
    readonly code: string,
    detail: string,
    /** What the sender got wrong: the file, or the charset it named for it (which the file contradicts). */
    readonly wrong: 'file' | 'charset' = 'file',
  ) {
    super(detail);
    this.name = 'XmlProblem';
  }
}
