const { run, celMethod, CelScalar, celMap, celList, celType, listType, mapType } = require('@bufbuild/cel');
const { strings } = require('@bufbuild/cel/ext');
console.log(run("'AbC/x'.lowerAscii().substring(1, 3)", {}, { funcs: [...strings] }));
console.log(run("has(body.type) && body.type in ['a']", { body: { type: 'a' } }, { funcs: [...strings] }));
console.log(run("has(body.type)", { body: { } }, { funcs: [...strings] }));
console.log(run("'x'.size() > 0 ? 1 : 2", { }, { funcs: [...strings] }));
