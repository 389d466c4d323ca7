/** The seed's response formats for POST /api/generate and /api/generate-with-image. Clients rely on them. */

export interface ClassicImage {
  /** base64 */
  data: string;
  mimeType: string;
}

export interface ClassicItemError {
  /** 1-based */
  index: number;
  error: string;
  details: string;
}

export interface ClassicSuccessBody {
  images: ClassicImage[];
  success: number;
  failed: number;
  /** Present only when some images failed. */
  errors?: ClassicItemError[];
}

export interface ClassicTotalFailureBody {
  error: 'All image generations failed';
  details: { index: number; error: string }[];
}

export type ClassicBody = ClassicSuccessBody | ClassicTotalFailureBody;
