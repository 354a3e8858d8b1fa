// An async executor: its own rejections are lost, which Node lints against.
const p = new Promise(async (resolve) => setTimeout(resolve, 10));
