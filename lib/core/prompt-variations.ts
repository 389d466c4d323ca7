/**
 * Prompt lists and variations, as the composer reads them: one prompt per line, and
 * `{red|blue} car` expands to "red car" and "blue car". Groups nest (`{a {big|small}|tiny} car`) and
 * combine (`{red|blue} {car|bike}` is four prompts). Braces without a `|` at their own level stay
 * as written, so a prompt that merely contains braces is left alone; an unclosed `{` is text too.
 * The syntax is the one of the Dynamic Prompts extension for AUTOMATIC1111 (its variants subset),
 * which users of this kind of tool already know. Written here: no maintained library parses just
 * this in the browser without pulling in the wildcard and Jinja machinery.
 */

export interface ExpandedPrompts {
  prompts: string[];
  /** Set when the text expands to more than the limit: `prompts` then holds the first `limit`. */
  tooMany?: { limit: number };
}

/** Every prompt the text stands for, in order, at most `limit` (lines first, then each line's variations). */
export function expandPrompts(text: string, limit: number): ExpandedPrompts {
  const prompts: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    for (const prompt of expandVariations(line, limit - prompts.length + 1)) {
      if (prompts.length === limit) return { prompts, tooMany: { limit } };
      prompts.push(prompt);
    }
  }
  return { prompts };
}

/** The variations of one prompt, at most `limit` of them, whitespace tidied. */
export function expandVariations(prompt: string, limit: number): string[] {
  const parser = new VariationParser(prompt, Math.max(1, limit));
  return parser
    .sequence(false)
    .map((expanded) => expanded.replace(/\s+/g, ' ').trim())
    .filter((expanded) => expanded !== '');
}

class VariationParser {
  #position = 0;
  readonly #text: string;
  readonly #limit: number;

  constructor(text: string, limit: number) {
    this.#text = text;
    this.#limit = limit;
  }

  /** A run of text and groups up to the end, or (inside a group) up to its `|` or `}`. */
  sequence(insideGroup: boolean): string[] {
    let results = [''];
    let literal = '';
    while (this.#position < this.#text.length) {
      const char = this.#text[this.#position]!;
      if (insideGroup && (char === '|' || char === '}')) break;
      if (char === '{') {
        const start = this.#position;
        const alternatives = this.#group();
        if (alternatives) {
          results = this.#combine(results, literal, alternatives);
          literal = '';
          continue;
        }
        // Not a group: the brace and what follows are text.
        this.#position = start + 1;
        literal += char;
        continue;
      }
      literal += char;
      this.#position += 1;
    }
    return results.map((result) => result + literal);
  }

  /** `{a|b|…}` at the current position: its alternatives' expansions, or undefined when it is not a group. */
  #group(): string[] | undefined {
    const start = this.#position;
    this.#position += 1;
    const alternatives: string[] = [];
    let alternativeCount = 0;
    for (;;) {
      for (const expansion of this.sequence(true)) if (alternatives.length < this.#limit) alternatives.push(expansion);
      alternativeCount += 1;
      const char = this.#text[this.#position];
      if (char === '|') {
        this.#position += 1;
        continue;
      }
      if (char === '}' && alternativeCount > 1) {
        this.#position += 1;
        return alternatives;
      }
      // Unclosed, or braces without a choice: not a group.
      this.#position = start;
      return undefined;
    }
  }

  /** Each result so far, followed by the text, followed by each alternative: at most `limit`. */
  #combine(results: string[], literal: string, alternatives: string[]): string[] {
    const combined: string[] = [];
    for (const result of results) {
      for (const alternative of alternatives) {
        if (combined.length === this.#limit) return combined;
        combined.push(result + literal + alternative);
      }
    }
    return combined;
  }
}
