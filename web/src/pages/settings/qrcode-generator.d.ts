// Types for Debian's node-qrcode-generator 1.4 as this page uses it (its own .d.ts declares a
// global the project's tsconfig does not load).
declare module 'qrcode-generator' {
  interface QRCode {
    addData(data: string, mode?: 'Numeric' | 'Alphanumeric' | 'Byte' | 'Kanji'): void;
    make(): void;
    getModuleCount(): number;
    isDark(row: number, col: number): boolean;
  }
  function qrcode(typeNumber: number, errorCorrectionLevel: 'L' | 'M' | 'Q' | 'H'): QRCode;
  export default qrcode;
}
