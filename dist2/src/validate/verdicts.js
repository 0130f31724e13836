export {};
//# sourceMappingURL=verdicts.js.map