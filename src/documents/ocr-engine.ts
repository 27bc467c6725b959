/**
 * Tesseract (tesseract.js, French LSTM model from @tesseract.js-data/fra), inside the reader process
 * only. Started on the first page that needs it and kept for the process's next readings; everything
 * it loads is on disk (core wasm and model): nothing is fetched.
 */
import { createWorker, type Worker } from 'tesseract.js';
import fra from '@tesseract.js-data/fra';
import { judgeOcr, type OcrWord } from './ocr-quality';

export interface OcrPage {
  text: string;
  /** Tesseract's mean confidence, 0–100. */
  confidence: number;
  realWords: number;
  legible: boolean;
}

/** tesseract.js's LSTM-only engine: the model's legacy part is never loaded. */
const OEM_LSTM_ONLY = 1;

export class OcrEngine {
  #worker: Promise<Worker> | null = null;

  #start(): Promise<Worker> {
    this.#worker ??= createWorker('fra', OEM_LSTM_ONLY, {
      langPath: fra.langPath,
      gzip: fra.gzip,
      cacheMethod: 'none',
      // without it, a job's failure is also thrown as an uncaught exception
      errorHandler: () => {},
      logger: () => {},
    });
    return this.#worker;
  }

  /**
   * Reads one image: PGM (give `dpi`, the format carries none), PNG, JPEG or TIFF bytes.
   * Rejects when tesseract cannot read the image.
   */
  async recognize(image: Uint8Array, dpi?: number): Promise<OcrPage> {
    const worker = await this.#start();
    // 0: let tesseract estimate it from the image (photos); a PGM page says nothing of its resolution
    await worker.setParameters({ user_defined_dpi: dpi === undefined ? '0' : String(dpi) });
    const { data } = await worker.recognize(Buffer.from(image.buffer, image.byteOffset, image.byteLength), {}, { text: true, blocks: true });
    const words: OcrWord[] = [];
    for (const block of data.blocks ?? []) {
      for (const paragraph of block.paragraphs) {
        for (const line of paragraph.lines) for (const word of line.words) words.push({ text: word.text, confidence: word.confidence });
      }
    }
    const judgement = judgeOcr(words, data.confidence);
    return { text: data.text, confidence: data.confidence, realWords: judgement.realWords, legible: judgement.legible };
  }

  async terminate(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    if (worker) await (await worker).terminate();
  }
}
