const t = setTimeout(() => {}, 10);
console.log(t.hasRef());
