export default { id: "bad-export", core: "^1.0.0", register() {} };
