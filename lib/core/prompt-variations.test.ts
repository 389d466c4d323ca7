import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandPrompts, expandVariations } from './prompt-variations';

describe('expandVariations', () => {
  it('expands a group into one prompt per alternative, in order', () => {
    expect(expandVariations('a {red|blue} car', 100)).toEqual(['a red car', 'a blue car']);
  });

  it('combines groups (every pairing) and nests them', () => {
    expect(expandVariations('{red|blue} {car|bike}', 100)).toEqual(['red car', 'red bike', 'blue car', 'blue bike']);
    expect(expandVariations('a {tiny|{big|small} red} car', 100)).toEqual(['a tiny car', 'a big red car', 'a small red car']);
  });

  it('leaves braces without a choice, and unclosed ones, as written', () => {
    expect(expandVariations('json {"a": 1} here', 100)).toEqual(['json {"a": 1} here']);
    expect(expandVariations('open {red|blue', 100)).toEqual(['open {red|blue']);
    expect(expandVariations('closing } alone', 100)).toEqual(['closing } alone']);
  });

  it('tidies whitespace an empty alternative leaves, and drops prompts that end up empty', () => {
    expect(expandVariations('a {|very} big  car', 100)).toEqual(['a big car', 'a very big car']);
    expect(expandVariations('{|}', 100)).toEqual([]);
  });

  it('stops at the limit', () => {
    expect(expandVariations('{a|b|c} {1|2|3}', 4)).toEqual(['a 1', 'a 2', 'a 3', 'b 1']);
  });

  it('makes the product of the alternatives’ counts, and no braces remain, for any well-formed template', () => {
    const word = fc.stringMatching(/^[a-z]{1,6}$/);
    const group = fc.uniqueArray(word, { minLength: 2, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(fc.tuple(word, group), { minLength: 1, maxLength: 3 }), (parts) => {
        const template = parts.map(([text, alternatives]) => `${text} {${alternatives.join('|')}}`).join(' ');
        const expanded = expandVariations(template, 10_000);
        expect(expanded).toHaveLength(parts.reduce((count, [, alternatives]) => count * alternatives.length, 1));
        for (const prompt of expanded) expect(prompt).not.toMatch(/[{}|]/);
      }),
    );
  });
});

describe('expandPrompts', () => {
  it('takes one prompt per line, skipping blank lines, and expands each', () => {
    expect(expandPrompts('a cat\n\n  \n{red|blue} car\r\nlast', 100)).toEqual({ prompts: ['a cat', 'red car', 'blue car', 'last'] });
  });

  it('says when the text stands for more prompts than allowed, keeping the first ones', () => {
    expect(expandPrompts('{a|b|c}\n{d|e}', 4)).toEqual({ prompts: ['a', 'b', 'c', 'd'], tooMany: { limit: 4 } });
    expect(expandPrompts('{a|b}\n{c|d}', 4)).toEqual({ prompts: ['a', 'b', 'c', 'd'] });
  });
});
