let runs = 0;
const iv = setInterval(() => {
  if (++runs === 3) clearInterval(iv);
}, 10);
