const P = Promise;
if (typeof P.withResolvers !== 'function') {
    P.withResolvers = function withResolvers() {
        let resolve;
        let reject;
        const promise = new Promise((res, rej) => {
            resolve = res;
            reject = rej;
        });
        return { promise, resolve, reject };
    };
}
export {};
//# sourceMappingURL=polyfill.js.map