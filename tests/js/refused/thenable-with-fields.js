// An object with a then method and other fields: objects as values are not supported,
// only { then(resolve, reject) {...} } itself.
const t = {
  name: 'two',
  then(resolve) {
    resolve(2);
  },
};
(async () => console.log(await t))();
