Component({
  options: { multipleSlots: true },
  properties: { title: String, note: { type: String, value: '' } }
});
