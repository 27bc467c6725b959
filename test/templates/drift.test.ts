import { describe, expect, it } from 'vitest';
import { findDrift, htmlToPlainText, normalizeSentence, sentencesOf } from '../../src/templates/drift';
import { checkDraft } from '../../src/templates/draft';
import { createTemplateEngines } from '../../src/templates/engine';
import { readTemplateSources, SHIPPED_TEMPLATES_DIR } from '../../src/templates/sources';

const part = (rendered: string, variables: string[] = []) => ({ rendered, variables });

describe('findDrift (text and HTML parts saying the same thing)', () => {
  it.each([
    {
      label: 'the same sentences, different markup and typography',
      text: 'Madame, Monsieur,\n\nVotre demande LJ-1 est prise en compte.\n- SIRET : 732 829 320 00074\n',
      html: '<p>Madame,&nbsp;Monsieur,</p><p>Votre demande <strong>LJ-1</strong> est prise en compte&nbsp;!</p><table><tr><th>SIRET</th><td>732&#160;829 320 00074</td></tr></table>',
      expected: [],
    },
    {
      label: 'a sentence only in the text',
      text: 'Bonjour.\nCe lien est valable 8 heures.\n',
      html: '<p>Bonjour.</p>',
      expected: [{ kind: 'sentence', only: 'text', sentence: 'Ce lien est valable 8 heures.' }],
    },
    {
      label: 'a sentence only in the HTML (old wording kept)',
      text: 'Ce lien est valable 8 heures.\n',
      html: '<p>Ce lien est valable 8 heures.</p><p>Ce lien est valable 24 heures.</p>',
      expected: [{ kind: 'sentence', only: 'html', sentence: 'Ce lien est valable 24 heures.' }],
    },
    {
      label: 'a link written out in the text, behind other words in the HTML: both wordings shown',
      text: 'Cliquez sur ce lien : https://exemple.fr/x?a=1&b=2\n',
      html: '<p>Cliquez sur ce lien : <a href="https://exemple.fr/x?a=1&amp;b=2">créer le mot de passe</a></p>',
      expected: [
        { kind: 'sentence', only: 'text', sentence: 'Cliquez sur ce lien : https://exemple.fr/x?a=1&b=2' },
        { kind: 'sentence', only: 'html', sentence: 'Cliquez sur ce lien : créer le mot de passe' },
      ],
    },
    {
      label: 'a link written out in the text, as a bare anchor in the HTML',
      text: 'Créez votre mot de passe :\nhttps://exemple.fr/x?a=1&b=2\n',
      html: '<p>Créez votre mot de passe : <a href="https://exemple.fr/x?a=1&amp;b=2">ici</a></p>',
      expected: [{ kind: 'sentence', only: 'html', sentence: 'Créez votre mot de passe : ici' }],
    },
    {
      label: 'the address of a link counts as written',
      text: 'Cliquez sur ce lien : https://exemple.fr/x\n',
      html: '<p>Cliquez sur ce lien : <a href="https://exemple.fr/x">https://exemple.fr/x</a></p>',
      expected: [],
    },
    {
      label: 'head, title and style are not read',
      text: 'Bonjour.\n',
      html: '<html><head><title>Un titre absent du texte</title><style>p { color: red; }</style></head><body><p>Bonjour.</p></body></html>',
      expected: [],
    },
    {
      label: 'a word is not a part of another word',
      text: 'Le lien est valable.\n',
      html: '<p>Le lien est valable8.</p>',
      expected: [
        { kind: 'sentence', only: 'text', sentence: 'Le lien est valable.' },
        { kind: 'sentence', only: 'html', sentence: 'Le lien est valable8.' },
      ],
    },
  ])('$label', ({ text, html, expected }) => {
    expect(findDrift({ text: part(text), html: part(html) })).toEqual(expected);
  });

  it('reports a variable read by one part only, each way', () => {
    const found = findDrift({
      text: part('A.\n', ['link', 'ticketRef', 'requester.email']),
      html: part('<p>A.</p>', ['link', 'ticketRef', 'requester.name', 'expiresAt']),
    });
    expect(found).toEqual([
      { kind: 'variable', only: 'text', variable: 'requester.email' },
      { kind: 'variable', only: 'html', variable: 'expiresAt' },
      { kind: 'variable', only: 'html', variable: 'requester.name' },
    ]);
  });

  it('says nothing for a mail without an HTML part (or an empty one)', () => {
    expect(findDrift({ text: part('Seul le texte.\n', ['x']), html: null })).toEqual([]);
    expect(findDrift({ text: part('Seul le texte.\n', ['x']), html: part('  \n', []) })).toEqual([]);
  });

  it('ignores fragments too short to be sentences', () => {
    expect(findDrift({ text: part('OK\n—\n42\n'), html: part('<p>Bonjour.</p>') })).toEqual([{ kind: 'sentence', only: 'html', sentence: 'Bonjour.' }]);
  });

  it('helpers: plain text of HTML, sentences, normalisation', () => {
    expect(htmlToPlainText('<p>a&amp;b</p><p>c<br>d</p>').split('\n').filter(Boolean)).toEqual(['a&b', 'c', 'd']);
    expect(htmlToPlainText('<a href="https://x.fr">ici</a>', true)).toContain('ici (https://x.fr)');
    expect(sentencesOf('Une phrase. Une autre !\nTroisième')).toEqual(['Une phrase.', 'Une autre !', 'Troisième']);
    expect(normalizeSentence('  L’adresse  : « X »  ')).toBe(normalizeSentence("l'adresse: \"x\""));
  });
});

describe('drift of the shipped templates', () => {
  const engines = createTemplateEngines();
  const dirs = { templatesDir: null, shippedDir: SHIPPED_TEMPLATES_DIR };
  const shipped = (name: 'reset-link' | 'approval-request') => {
    const s = readTemplateSources(name, dirs).parts;
    return { subject: s.subject!.content, text: s.text!.content, html: s.html!.content };
  };

  it('the shipped reset-link mail says the same in text and HTML', () => {
    const r = checkDraft(engines, 'reset-link', shipped('reset-link'), dirs);
    expect(r.errors).toEqual([]);
    expect(r.drift).toEqual([]);
  });

  it('an edit of the text only is pointed out, with the variable it adds', () => {
    const draft = shipped('reset-link');
    draft.text = draft.text.replace('Madame, Monsieur,', 'Madame, Monsieur,\n\nVotre dossier est suivi par {{ requester.email }}.');
    const r = checkDraft(engines, 'reset-link', draft, dirs);
    expect(r.errors).toEqual([]);
    expect(r.drift).toEqual([
      { kind: 'sentence', only: 'text', sentence: 'Votre dossier est suivi par claire.moutin@etude-moutin.fr.' },
      { kind: 'variable', only: 'text', variable: 'requester.email' },
    ]);
  });

  it('the approval request’s table layout (label and value cells) is not drift', () => {
    const r = checkDraft(engines, 'approval-request', shipped('approval-request'), dirs);
    const sentences = r.drift.filter((f) => f.kind === 'sentence').map((f) => (f as { sentence: string }).sentence);
    expect(sentences.some((s) => s.startsWith('Dossier'))).toBe(false);
    expect(sentences.some((s) => s.startsWith('SIRET :'))).toBe(false);
  });
});
