// Field checks for the application form; each returns an error message or ''.
const RULES = {
  fullName: (v) => (v && v.trim().length >= 2 ? '' : 'Enter your full name'),
  idNumber: (v) => (/^[A-Z0-9]{6,18}$/i.test(v || '') ? '' : 'ID number: 6 to 18 letters or digits'),
  phone: (v) => (/^\+?[0-9 ]{7,15}$/.test(v || '') ? '' : 'Enter a phone number'),
  district: (v) => (v !== undefined && v !== '' ? '' : 'Choose a district'),
  purpose: (v) => (v ? '' : 'Choose a purpose'),
  agree: (v) => (v && v.length ? '' : 'Please confirm the declaration')
};

function validate(values) {
  const errors = {};
  Object.keys(RULES).forEach((key) => {
    const message = RULES[key](values[key]);
    if (message) errors[key] = message;
  });
  return errors;
}

function referenceNumber(now) {
  const stamp = now.getFullYear() * 10000 + (now.getMonth() + 1) * 100 + now.getDate();
  return 'PS-' + stamp + '-' + String(now.getTime() % 100000).padStart(5, '0');
}

module.exports = { validate, referenceNumber };
