// A thenable whose then method is async: its promise would be dropped by the caller, and
// the translator does not follow that yet.
const t = {
  async then(resolve) {
    resolve(2);
  },
};
(async () => console.log(await t))();
