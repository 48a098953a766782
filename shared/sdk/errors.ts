/** An error answer of a TextNLP server, with OpenAI's error fields. */
export class TextNlpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string | null = null,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = "TextNlpError";
  }
}

/** Reads an error response into a {@link TextNlpError}. */
export async function errorFromResponse(res: Response): Promise<TextNlpError> {
  const text = await res.text();
  try {
    const { error } = JSON.parse(text) as {
      error: { message: string; type?: string; code?: string; param?: string };
    };
    return new TextNlpError(
      res.status,
      error.message,
      error.type ?? null,
      error.code ?? null,
      error.param ?? null,
    );
  } catch {
    return new TextNlpError(res.status, text || res.statusText);
  }
}
