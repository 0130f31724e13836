export {};
//# sourceMappingURL=status-source.js.map