/** The parts of NLP.js (CommonJS, untyped) that the intent classifier uses. */

declare module '@nlpjs/neural' {
  /** Feature → value (a bag of words: 1 per token present). */
  export type FeatureVector = Record<string, number>;

  export interface NeuralNetworkSettings {
    iterations?: number;
    errorThresh?: number;
    deltaErrorThresh?: number;
    learningRate?: number;
    momentum?: number;
    alpha?: number;
    log?: boolean;
  }

  export interface NeuralNetworkJson {
    settings: NeuralNetworkSettings;
    features?: string[];
    intents?: string[];
    perceptrons?: number[][];
  }

  export interface TrainingStatus {
    error: number;
    deltaError: number;
    iterations: number;
  }

  /** One perceptron per intent (leaky-ReLU output), trained by gradient descent with momentum. */
  export class NeuralNetwork {
    constructor(settings?: NeuralNetworkSettings);
    train(corpus: { input: FeatureVector; output: Record<string, number> }[]): TrainingStatus;
    run(input: FeatureVector): Record<string, number> | undefined;
    toJSON(): NeuralNetworkJson;
    fromJSON(json: NeuralNetworkJson): void;
  }

  const neural: { NeuralNetwork: typeof NeuralNetwork };
  export default neural;
}

declare module '@nlpjs/similarity' {
  /** Replaces an unknown token by a known feature within an edit distance (same length ± distance). */
  export class SpellCheck {
    constructor(settings?: { features?: Record<string, number>; minLength?: number });
    setFeatures(features: Record<string, number>): void;
    check(tokens: string[], distance?: number): string[];
  }

  const similarity: { SpellCheck: typeof SpellCheck };
  export default similarity;
}

declare module '@nlpjs/lang-en-min' {
  interface Tokenizer {
    tokenize(text: string, normalize?: boolean): string[];
  }
  interface Stemmer {
    stemWord(word: string): string;
    cache: Record<string, string>;
  }
  const en: { TokenizerEn: new () => Tokenizer; StemmerEn: new () => Stemmer };
  export default en;
}

declare module '@nlpjs/lang-fr' {
  interface Tokenizer {
    tokenize(text: string, normalize?: boolean): string[];
  }
  interface Stemmer {
    stemWord(word: string): string;
    cache: Record<string, string>;
  }
  const fr: { TokenizerFr: new () => Tokenizer; StemmerFr: new () => Stemmer };
  export default fr;
}
