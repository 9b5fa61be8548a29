/** One guide in docs/migration. */
export interface Guide {
  /** Absolute path of the markdown file. */
  readonly path: string;
  /** Its current text. */
  readonly text: string;
  /** Its text with every sample block rewritten from the sample files. */
  readonly synced: string;
  /** The samples it embeds, relative to {@link SAMPLES_DIR}. */
  readonly samples: readonly string[];
}
/** The samples' folder. */
export declare const SAMPLES_DIR: string;
/** The guides' folder. */
export declare const DOCS_DIR: string;
/** Every guide, with its sample blocks rewritten from the files. */
export declare function renderGuides(): Guide[];
