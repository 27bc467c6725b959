/** @tesseract.js-data/fra ships no types: its index.js exports where its model lies. */
declare module '@tesseract.js-data/fra' {
  const fra: { code: string; gzip: boolean; langPath: string };
  export default fra;
}
